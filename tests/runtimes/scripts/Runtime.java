// Java from Debian's openjdk-17-jre-headless, in the image as on the host: a thread pool,
// MessageDigest (SHA-256, MD5) and files written, listed and read back. Every line printed is
// deterministic, so the guest's output must equal the host's byte for byte.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

public class Runtime {
  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  public static void main(String[] args) throws Exception {
    System.out.println("java: " + System.getProperty("java.specification.version"));
    System.out.println("md5: " + HexFormat.of().formatHex(
        MessageDigest.getInstance("MD5").digest("unikernel".getBytes(StandardCharsets.UTF_8))));

    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<String>> futures = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      final int n = i;
      futures.add(pool.submit(() -> {
        byte[] d = ("task " + n).getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < 500; k++)
          d = MessageDigest.getInstance("SHA-256").digest(d);
        return n + ":" + HexFormat.of().formatHex(d).substring(0, 12);
      }));
    }
    StringBuilder all = new StringBuilder();
    for (Future<String> f : futures)
      all.append(f.get()).append('\n');
    pool.shutdown();
    System.out.println("pool first: " + futures.get(0).get());
    System.out.println("pool digest: " + sha256(all.toString().getBytes(StandardCharsets.UTF_8)));

    Path dir = Files.createDirectories(Path.of("out"));
    for (int i = 0; i < 5; i++)
      Files.writeString(dir.resolve("file" + i + ".txt"), "contents of file " + i + "\n".repeat(i + 1));
    try (var listing = Files.list(dir)) {
      System.out.println("files: " + listing.map(p -> p.getFileName().toString()).sorted()
                                         .collect(Collectors.joining(",")));
    }
    long total = 0;
    for (int i = 0; i < 5; i++)
      total += Files.readAllBytes(dir.resolve("file" + i + ".txt")).length;
    System.out.println("bytes read back: " + total);
    System.out.println("file digest: " + sha256(Files.readAllBytes(dir.resolve("file4.txt"))));
  }
}
