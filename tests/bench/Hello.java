// The Java program of runtime_boot_bench.sh: the JVM's start-up and exit, nothing else.
public class Hello {
  public static void main(String[] args) {
    System.out.println("hello from java");
  }
}
