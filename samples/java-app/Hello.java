// A Java application as users bring one: Debian's openjdk-17-jre-headless runs it unmodified.
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Executors;

public class Hello {
  public static void main(String[] args) throws Exception {
    System.out.println("Hello from Java " + System.getProperty("java.specification.version")
        + " in a Nanos unikernel!");
    var pool = Executors.newFixedThreadPool(2);
    var sum = pool.submit(() -> java.util.stream.IntStream.rangeClosed(1, 1000).sum());
    System.out.println("sum computed by a pool thread: " + sum.get());
    pool.shutdown();
    byte[] d = MessageDigest.getInstance("SHA-256").digest("unikernel".getBytes("UTF-8"));
    System.out.println("sha256: " + HexFormat.of().formatHex(d).substring(0, 16));
  }
}
