// End-to-end tests of `nanos-mkimage build`: the tool runs in a subprocess and the image
// is decoded with the reader library (the codec the kernel runs) to check every byte that
// went in.
#include "image_test_util.h"
#include "reader/image_reader.h"
#include "resolver/ld_cache.h"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <map>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace imagetest;
using namespace mkimage::reader; // images decoded by the shared codec (kernel/lib/tfs)

namespace {

// Decodes `img` into `var`, or fails the test with the reader's one-line error.
#define ASSERT_DECODED(var, img)                                                                   \
  auto var##Expected = decodeImage(img);                                                           \
  ASSERT_TRUE(static_cast<bool>(var##Expected)) << llvm::toString(var##Expected.takeError());      \
  DecodedImage& var = *var##Expected

// A file's bytes as the reader reads them, or a text that names the problem.
std::string contents(const DecodedImage& d, const DecodedFs& fs, const Value* file) {
  if (!file)
    return "<no such file>";
  auto data = readFile(d, fs, *file);
  if (!data)
    return "<error: " + llvm::toString(data.takeError()) + ">";
  return *data;
}

class ImageBuild : public ::testing::Test {
protected:
  void SetUp() override {
    boot = dir / "boot.img";
    kernel = dir / "kernel.img";
    writeFakeBootImage(boot);
    writeFakeKernel(kernel);
  }
  std::vector<std::string> base(const std::string& out) {
    return {"build", HELLO_PROGRAM, "-o", out, "--kernel", kernel, "--boot", boot};
  }
  // The run failed with a one-line error containing `needle`, leaving no image and no
  // temporary file in `outDir`.
  void expectCleanFailure(const RunResult& r, const std::string& needle, const std::string& outDir,
                          const std::vector<std::string>& before) {
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.status, 139) << "crashed";
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(listDir(outDir), before) << "partial output left behind";
  }
  ScratchDir dir;
  std::string boot, kernel;
};

TEST_F(ImageBuild, RoundTripsEveryFileByteForByte) {
  std::string in = dir / "in";
  makeDirs(in + "/tree/sub/empty");
  std::map<std::string, std::string> files;
  for (size_t n : {0, 1, 512, 513, 4096, 70000}) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
      s[i] = static_cast<char>('a' + (i * 31 + n) % 26);
    files["f" + std::to_string(n)] = s;
    writeFile(in + "/f" + std::to_string(n), s);
  }
  writeFile(in + "/tree/sub/x.txt", "x\n");
  writeFile(in + "/tree/top.bin", std::string(1000, '\xff'));
  ASSERT_EQ(::symlink("sub/x.txt", (in + "/tree/link").c_str()), 0);
  // 100 MiB, mostly a hole, with data at both ends and in the middle.
  std::string big = in + "/big";
  {
    int fd = ::open(big.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 100 << 20), 0);
    ASSERT_EQ(::pwrite(fd, "head", 4, 0), 4);
    ASSERT_EQ(::pwrite(fd, "middle", 6, 50 << 20), 6);
    ASSERT_EQ(::pwrite(fd, "tail", 4, (100 << 20) - 4), 4);
    ::close(fd);
  }
  std::string img = dir / "out.img";
  auto args = base(img);
  for (auto& [name, _] : files)
    args.insert(args.end(), {"--file", in + "/" + name + ":/data/" + name});
  args.insert(args.end(),
              {"--file", big + ":/big", "--dir", in + "/tree:/srv/tree", "--arg", "one", "--env",
               "B=2", "--env", "A=1", "--cwd", "/srv", "--set", "en1.ipaddr=10.0.0.2", "--noaslr"});
  RunResult r = runTool(args);
  ASSERT_EQ(r.status, 0) << r.err;

  ASSERT_DECODED(d, img);
  const Value& root = d.root.root;
  for (auto& [name, data] : files) {
    const Value* f = lookup(root, "/data/" + name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(contents(d, d.root, f), data) << name;
  }
  const Value* bigFile = lookup(root, "/big");
  ASSERT_NE(bigFile, nullptr);
  EXPECT_EQ(contents(d, d.root, bigFile), readWhole(big));
  EXPECT_EQ(contents(d, d.root, lookup(root, "/srv/tree/sub/x.txt")), "x\n");
  // The link itself, and the file through it.
  ASSERT_NE(lookup(root, "/srv/tree/link"), nullptr);
  EXPECT_EQ(lookup(root, "/srv/tree/link")->at("linktarget").str, "sub/x.txt");
  auto through = resolve(root, "/srv/tree/link", /*followLast=*/true);
  ASSERT_TRUE(static_cast<bool>(through)) << llvm::toString(through.takeError());
  EXPECT_EQ(contents(d, d.root, *through), "x\n");
  EXPECT_TRUE(lookup(root, "/srv/tree/sub/empty")->at("children").entries.empty());
  // The program at /<name> and its interpreter somewhere under /lib*.
  const Value* prog = lookup(root, "/image_test_hello");
  ASSERT_NE(prog, nullptr);
  EXPECT_EQ(contents(d, d.root, prog), readWhole(HELLO_PROGRAM));
  EXPECT_TRUE(lookup(root, "/lib64") || lookup(root, "/lib"));
  // The manifest.
  EXPECT_EQ(root.at("program").str, "/image_test_hello");
  ASSERT_EQ(root.at("arguments").elems.size(), 2u);
  EXPECT_EQ(root.at("arguments").elems[0].str, "image_test_hello");
  EXPECT_EQ(root.at("arguments").elems[1].str, "one");
  EXPECT_EQ(root.at("environment").at("A").str, "1");
  EXPECT_EQ(root.at("cwd").str, "/srv");
  EXPECT_TRUE(root.has("debug_exit"));
  EXPECT_TRUE(root.has("noaslr"));
  EXPECT_EQ(root.at("en1").at("ipaddr").str, "10.0.0.2");
  // The boot TFS holds the kernel.
  const Value* k = lookup(d.boot.root, "/kernel");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(contents(d, d.boot, k), readWhole(kernel));
  // Stage1/stage2 copied, klog area zero.
  std::string head = readWhole(img).substr(0, 512 + 2048 + 4096);
  std::string bootBytes = readWhole(boot);
  EXPECT_EQ(head.substr(0, 0x1BE), bootBytes.substr(0, 0x1BE));
  EXPECT_EQ(head.substr(512, 2048), bootBytes.substr(512));
  EXPECT_EQ(head.substr(2560), std::string(4096, '\0'));
  // Sparse: the 100 MiB hole did not become allocated blocks.
  struct stat st;
  ASSERT_EQ(::stat(img.c_str(), &st), 0);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 40ull << 20);
  // Free space after the content (spec §1.6: >= 2 MiB recommended; default margin 4 MiB).
  EXPECT_GE(static_cast<uint64_t>(st.st_size), d.rootOffset + (4ull << 20));
}

// A dynamic program's image carries an ld.so cache naming each library it resolved at the
// path the loader opens; --no-ld-cache leaves it out; a mapped /etc/ld.so.cache wins.
TEST_F(ImageBuild, LdSoCacheListsTheResolvedLibraries) {
  std::string img = dir / "cache.img";
  RunResult r = runTool(base(img));
  ASSERT_EQ(r.status, 0) << r.err;
  {
    ASSERT_DECODED(d, img);
    const Value* f = lookup(d.root.root, "/etc/ld.so.cache");
    ASSERT_NE(f, nullptr);
    auto cache = mkimage::LdCache::parse("image cache", contents(d, d.root, f));
    ASSERT_TRUE(static_cast<bool>(cache)) << llvm::toString(cache.takeError());
    std::string libc = cache->lookup("libc.so.6", {});
    EXPECT_FALSE(libc.empty());
    EXPECT_NE(lookup(d.root.root, libc), nullptr) << libc << " is not in the image";
  }
  std::string none = dir / "nocache.img";
  auto args = base(none);
  args.push_back("--no-ld-cache");
  r = runTool(args);
  ASSERT_EQ(r.status, 0) << r.err;
  {
    ASSERT_DECODED(d, none);
    EXPECT_EQ(lookup(d.root.root, "/etc/ld.so.cache"), nullptr);
  }
  std::string mine = dir / "mine.bin";
  writeFile(mine, "not a cache");
  std::string user = dir / "usercache.img";
  args = base(user);
  args.insert(args.end(), {"--file", mine + ":/etc/ld.so.cache"});
  r = runTool(args);
  ASSERT_EQ(r.status, 0) << r.err;
  {
    ASSERT_DECODED(d, user);
    EXPECT_EQ(contents(d, d.root, lookup(d.root.root, "/etc/ld.so.cache")), "not a cache");
  }
}

TEST_F(ImageBuild, SixtyThousandFilesSpanSeveralLogExtensions) {
  std::string tree = dir / "many";
  makeDirs(tree);
  for (int d = 0; d < 60; ++d) {
    std::string sub = tree + "/d" + std::to_string(d);
    ::mkdir(sub.c_str(), 0755);
    for (int f = 0; f < 1000; ++f) {
      std::string p = sub + "/file-with-a-longish-name-" + std::to_string(f);
      int fd = ::open(p.c_str(), O_CREAT | O_WRONLY, 0644);
      ASSERT_GE(fd, 0);
      if (f % 100 == 0) {
        ASSERT_EQ(::write(fd, p.data(), p.size()), static_cast<ssize_t>(p.size()));
      }
      ::close(fd);
    }
  }
  std::string img = dir / "many.img";
  auto args = base(img);
  args.insert(args.end(), {"--dir", tree + ":/many"});
  RunResult r = runTool(args);
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_DECODED(d, img);
  EXPECT_GE(d.root.extensions, 3) << "metadata should need several 512 KiB extensions";
  size_t count = 0;
  for (int dd = 0; dd < 60; ++dd)
    count += lookup(d.root.root, "/many/d" + std::to_string(dd))->at("children").entries.size();
  EXPECT_EQ(count, 60000u);
  std::string p = tree + "/d59/file-with-a-longish-name-900";
  EXPECT_EQ(contents(d, d.root, lookup(d.root.root, "/many/d59/file-with-a-longish-name-900")), p);
}

// From 16 MiB of input the files are copied by several threads, and a thread with no file
// left copies chunks from the end of another's file: every thread count gives the same
// image, every byte where it belongs, holes (not chunk-aligned) as zeros.
TEST_F(ImageBuild, LargeInputsGiveTheSameImageForEveryThreadCount) {
  std::string in = dir / "large";
  makeDirs(in);
  uint64_t x = 88172645463325252ull;
  auto noise = [&](size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; i += 8) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      std::memcpy(&s[i], &x, std::min<size_t>(8, n - i));
    }
    return s;
  };
  writeFile(in + "/a", noise((9 << 20) + 3));
  writeFile(in + "/b", noise(5 << 20));
  writeFile(in + "/c", noise((1 << 20) + 1));
  writeFile(in + "/d", noise(70000));
  std::string sparse = in + "/sparse";
  {
    int fd = ::open(sparse.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, (24 << 20) + 12345), 0);
    for (uint64_t at : {0ull, (3ull << 20) + 17, (11ull << 20) - 5000, (24ull << 20) + 12000}) {
      std::string s = noise(345);
      ASSERT_EQ(::pwrite(fd, s.data(), s.size(), static_cast<off_t>(at)), 345);
    }
    std::string mid = noise((2 << 20) + 99); // data across chunk boundaries
    ASSERT_EQ(::pwrite(fd, mid.data(), mid.size(), 15 << 20), static_cast<ssize_t>(mid.size()));
    ::close(fd);
  }
  std::vector<std::string> images;
  for (const char* threads : {"1", "2", "5"}) {
    std::string img = dir / ("t" + std::string(threads) + ".img");
    auto args = base(img);
    args.insert(args.end(), {"--dir", in + ":/in", "--threads", threads});
    RunResult r = runTool(args);
    ASSERT_EQ(r.status, 0) << r.err;
    images.push_back(img);
  }
  EXPECT_EQ(std::system(("cmp -s '" + images[0] + "' '" + images[1] + "'").c_str()), 0);
  EXPECT_EQ(std::system(("cmp -s '" + images[0] + "' '" + images[2] + "'").c_str()), 0);
  ASSERT_DECODED(d, images[1]);
  for (const char* name : {"a", "b", "c", "d", "sparse"}) {
    const Value* f = lookup(d.root.root, std::string("/in/") + name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_TRUE(contents(d, d.root, f) == readWhole(in + "/" + name)) << name;
  }
}

TEST_F(ImageBuild, ReproducibleAcrossOptionOrderDirsTimeUmaskThreads) {
  // Two copies of the same inputs in different directories.
  auto prepare = [&](const std::string& root) {
    makeDirs(root + "/data/d");
    writeFile(root + "/data/a", "alpha");
    writeFile(root + "/data/d/b", "beta");
    writeFile(root + "/extra", std::string(3000, 'e'));
    writeFakeBootImage(root + "/boot.img");
    writeFakeKernel(root + "/kernel.img");
  };
  std::string r1 = dir / "one", r2 = dir / "two/deeper";
  makeDirs(r1);
  makeDirs(r2);
  prepare(r1);
  prepare(r2);
  auto args = [&](const std::string& r, bool shuffled, const std::string& out,
                  const std::string& threads) {
    std::vector<std::string> a = {"build", HELLO_PROGRAM, "-o", out, "--threads", threads};
    std::vector<std::vector<std::string>> opts = {{"--kernel", r + "/kernel.img"},
                                                  {"--boot", r + "/boot.img"},
                                                  {"--dir", r + "/data:/data"},
                                                  {"--file", r + "/extra:/etc/extra"},
                                                  {"--env", "X=1"},
                                                  {"--env", "Y=2"},
                                                  {"--set", "a.b=c"},
                                                  {"--set", "z=1"},
                                                  {"--seed", "s1"}};
    if (shuffled)
      std::reverse(opts.begin(), opts.end());
    for (auto& o : opts) {
      a.insert(a.end(), o.begin(), o.end());
    }
    return a;
  };
  for (const char* ext : {".img", ".img.zst"}) {
    std::string out1 = r1 + "/image" + ext, out2 = r2 + "/image" + ext;
    RunOptions o1, o2;
    o1.cwd = r1;
    o1.umask = 022;
    o1.env = {"SOURCE_DATE_EPOCH=1", "LC_ALL=C", "TZ=UTC"};
    o2.cwd = r2;
    o2.umask = 077;
    o2.env = {"LC_ALL=C.UTF-8", "TZ=Asia/Tokyo"};
    RunResult a = runTool(args(r1, false, out1, "1"), o1);
    ASSERT_EQ(a.status, 0) << a.err;
    ::sleep(1); // a different wall-clock second
    RunResult b = runTool(args(r2, true, out2, "2"), o2);
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_EQ(std::system(("cmp -s '" + out1 + "' '" + out2 + "'").c_str()), 0) << ext;
  }
  // A different seed changes the image (the UUID).
  std::string out3 = r1 + "/seed.img";
  auto a3 = args(r1, false, out3, "1");
  a3.back() = "s2";
  ASSERT_EQ(runTool(a3).status, 0);
  EXPECT_NE(readWhole(out3), readWhole(r1 + "/image.img"));
}

TEST_F(ImageBuild, BomAndVerify) {
  std::string img = dir / "v.img", bom = dir / "v.bom.json", dep = dir / "v.d";
  writeFile(dir / "payload", "payload bytes");
  auto args = base(img);
  args.insert(args.end(), {"--file", dir / "payload:/payload", "--bom", bom, "--depfile", dep});
  RunResult r = runTool(args);
  ASSERT_EQ(r.status, 0) << r.err;
  std::string bomText = readWhole(bom);
  EXPECT_NE(bomText.find("\"/payload\""), std::string::npos);
  EXPECT_NE(bomText.find("\"xxh3_128\""), std::string::npos);
  std::string depText = readWhole(dep);
  EXPECT_NE(depText.find(dir / "payload"), std::string::npos);
  EXPECT_NE(depText.find(kernel), std::string::npos);
  EXPECT_NE(depText.find(HELLO_PROGRAM), std::string::npos);
  EXPECT_EQ(runTool({"verify", img, bom}).status, 0);
  EXPECT_EQ(runTool({"verify", img}).status, 0); // structure only
  // A compressed image verifies against its own BOM (digest of the raw bytes).
  std::string zimg = dir / "v.img.zst", zbom = dir / "v.zst.json";
  auto zargs = base(zimg);
  zargs.insert(zargs.end(), {"--file", dir / "payload:/payload", "--bom", zbom});
  ASSERT_EQ(runTool(zargs).status, 0);
  EXPECT_EQ(readWhole(zimg).substr(0, 4), "\x28\xB5\x2F\xFD");
  RunResult zv = runTool({"verify", zimg, zbom});
  EXPECT_EQ(zv.status, 0) << zv.err;
  // A file that is not an image.
  writeFile(dir / "zeros", std::string(4096, '\0'));
  RunResult notImage = runTool({"verify", dir / "zeros"});
  EXPECT_NE(notImage.status, 0);
  EXPECT_NE(notImage.err.find("55 AA"), std::string::npos) << notImage.err;
  // Corrupt the payload inside the image: verify names it.
  std::string bytes = readWhole(img);
  size_t at = bytes.find("payload bytes");
  ASSERT_NE(at, std::string::npos);
  int fd = ::open(img.c_str(), O_WRONLY);
  ASSERT_EQ(::pwrite(fd, "X", 1, static_cast<off_t>(at)), 1);
  ::close(fd);
  RunResult v = runTool({"verify", img, bom});
  EXPECT_NE(v.status, 0);
  EXPECT_NE(v.err.find("differs"), std::string::npos) << v.err;
}

TEST_F(ImageBuild, MissingHostFile) {
  std::string out = dir / "out";
  makeDirs(out);
  auto args = base(out + "/x.img");
  args.insert(args.end(), {"--file", dir / "nope:/nope"});
  expectCleanFailure(runTool(args), "nope", out, {});
}

TEST_F(ImageBuild, UnreadableInputs) {
  // Root can read any regular file, so use inputs nobody can copy: a FIFO (would block
  // forever if opened for reading naively) and a directory given as --file.
  std::string out = dir / "out";
  makeDirs(out);
  std::string fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  auto args = base(out + "/x.img");
  args.insert(args.end(), {"--file", fifo + ":/fifo"});
  expectCleanFailure(runTool(args), "not a regular file", out, {});
  args = base(out + "/x.img");
  args.insert(args.end(), {"--file", dir.path + ":/d"});
  expectCleanFailure(runTool(args), "use --dir", out, {});
  // A FIFO inside a mapped directory.
  makeDirs(dir / "withfifo");
  ASSERT_EQ(::mkfifo((dir / "withfifo/p").c_str(), 0644), 0);
  args = base(out + "/x.img");
  args.insert(args.end(), {"--dir", dir / "withfifo:/w"});
  expectCleanFailure(runTool(args), "not a regular file", out, {});
}

TEST_F(ImageBuild, BadGuestPaths) {
  std::string out = dir / "out";
  makeDirs(out);
  writeFile(dir / "f", "f");
  auto args = base(out + "/x.img");
  args.insert(args.end(), {"--file", dir / "f:/a/../etc/passwd"});
  expectCleanFailure(runTool(args), "contains '..'", out, {});
  // NUL cannot be passed in argv; the JSON config can carry it.
  writeFile(dir / "nul.json", R"({"Files": ["f:/a\u0000b"]})");
  args = base(out + "/x.img");
  args.insert(args.end(), {"-c", dir / "nul.json"});
  expectCleanFailure(runTool(args), "NUL", out, {});
}

TEST_F(ImageBuild, MappedFileClashesWithLibrary) {
  std::string bom = dir / "probe.json";
  auto args = base(dir / "probe.img");
  args.insert(args.end(), {"--bom", bom});
  ASSERT_EQ(runTool(args).status, 0);
  // Find libc's guest path in the BOM.
  std::string text = readWhole(bom);
  size_t at = text.find("libc.so.6\"");
  ASSERT_NE(at, std::string::npos);
  size_t start = text.rfind('"', at - 1) + 1;
  std::string libc = text.substr(start, at + 9 - start);
  std::string out = dir / "out";
  makeDirs(out);
  writeFile(dir / "mylibc", "not libc");
  args = base(out + "/x.img");
  args.insert(args.end(), {"--file", dir / "mylibc:" + libc});
  RunResult r = runTool(args);
  expectCleanFailure(r, "clashes", out, {});
  EXPECT_NE(r.err.find("library"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--file"), std::string::npos) << r.err;
}

TEST_F(ImageBuild, OutputDirectoryNotWritable) {
  // Root may write anywhere, but not below a regular file (ENOTDIR).
  writeFile(dir / "plainfile", "x");
  auto args = base(dir / "plainfile/x.img");
  std::vector<std::string> before = listDir(dir.path);
  expectCleanFailure(runTool(args), "plainfile/x.img", dir.path, before);
}

TEST_F(ImageBuild, DiskFullViaFileSizeLimit) {
  std::string out = dir / "out";
  makeDirs(out);
  writeFile(dir / "big", std::string(3 << 20, 'b'));
  auto args = base(out + "/x.img");
  args.insert(args.end(), {"--file", dir / "big:/big"});
  RunOptions o;
  o.fileSizeLimit = 1 << 20;
  expectCleanFailure(runTool(args, o), "x.img", out, {});
}

// The same with the threaded copy (>= 16 MiB of input): the error still names the image.
TEST_F(ImageBuild, DiskFullWithThreadsViaFileSizeLimit) {
  std::string out = dir / "out";
  makeDirs(out);
  writeFile(dir / "big1", std::string(9 << 20, 'b'));
  writeFile(dir / "big2", std::string(9 << 20, 'c'));
  auto args = base(out + "/x.img");
  args.insert(args.end(),
              {"--file", dir / "big1:/big1", "--file", dir / "big2:/big2", "--threads", "2"});
  RunOptions o;
  o.fileSizeLimit = 12 << 20;
  expectCleanFailure(runTool(args, o), "x.img", out, {});
}

TEST_F(ImageBuild, DiskFullOnSmallTmpfs) {
  std::string mnt = dir / "small";
  makeDirs(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  writeFile(dir / "big", std::string(3 << 20, 'b'));
  auto args = base(mnt + "/x.img");
  args.insert(args.end(), {"--file", dir / "big:/big"});
  RunResult r = runTool(args);
  std::vector<std::string> left = listDir(mnt);
  ::umount(mnt.c_str());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("No space left"), std::string::npos) << r.err;
  EXPECT_TRUE(left.empty()) << "partial output left behind";
}

TEST_F(ImageBuild, BootImageIsValidated) {
  writeFile(dir / "bad-boot.img", std::string(1024, '\0'));
  std::string out = dir / "out";
  makeDirs(out);
  auto args = base(out + "/x.img");
  args.insert(args.end(), {"--boot", dir / "bad-boot.img"});
  expectCleanFailure(runTool(args), "not a Nanos boot image", out, {});
}

} // namespace
