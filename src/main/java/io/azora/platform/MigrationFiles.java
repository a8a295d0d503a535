package io.azora.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The migration files a database is migrated from, as one fingerprint: SHA-256 over each file's path and
 * content, in path order, from the fat jar or (in tests and IDEs) a classes directory. Blocking: read from
 * a worker thread.
 */
final class MigrationFiles {

  private static final String ROOT = "db";

  private MigrationFiles() {
  }

  /** Every file under db/, read once per process (one pass over the jar's entries). */
  private static TreeMap<String, byte[]> files;

  static String fingerprint(ClassLoader loader, List<String> locations) {
    TreeMap<String, byte[]> all = all(loader);
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    int count = 0;
    for (var file : all.entrySet()) {
      if (locations.stream().noneMatch(l -> file.getKey().startsWith(l + "/"))) {
        continue;
      }
      count++;
      sha.update(file.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(file.getValue());
      sha.update((byte) 0);
    }
    return String.join(",", locations) + ":" + count + ":" + HexFormat.of().formatHex(sha.digest());
  }

  private static synchronized TreeMap<String, byte[]> all(ClassLoader loader) {
    if (files == null) {
      TreeMap<String, byte[]> read = new TreeMap<>();
      try {
        Enumeration<URL> roots = loader.getResources(ROOT);
        while (roots.hasMoreElements()) {
          read(roots.nextElement(), ROOT, read);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
      files = read;
    }
    return files;
  }

  private static void read(URL root, String location, TreeMap<String, byte[]> files) throws IOException, URISyntaxException {
    if ("jar".equals(root.getProtocol())) {
      JarURLConnection connection = (JarURLConnection) root.openConnection();
      connection.setUseCaches(false);
      try (JarFile jar = connection.getJarFile()) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          if (!entry.isDirectory() && entry.getName().startsWith(location + "/")) {
            try (InputStream in = jar.getInputStream(entry)) {
              files.put(entry.getName(), in.readAllBytes());
            }
          }
        }
      }
    } else {
      Path dir = Path.of(root.toURI());
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.filter(Files::isRegularFile).toList()) {
          files.put(location + "/" + dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        }
      }
    }
  }
}
