#include "tfs_decoder.h"

#include <cstring>
#include <fstream>
#include <set>

namespace mkimage::reader {
namespace {

std::string readAt(const std::string& path, uint64_t offset, uint64_t size) {
  // Never allocate more than the file can hold: an absurd length is a format error.
  if (size > (uint64_t(1) << 32) || offset > (uint64_t(1) << 50))
    throw std::runtime_error("length " + std::to_string(size) + " out of range at offset " +
                             std::to_string(offset));
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string s(size, '\0');
  in.read(s.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size)
    throw std::runtime_error("short read at " + std::to_string(offset));
  return s;
}

struct Cursor {
  const std::string* data;
  size_t pos = 0;
  uint8_t byte() {
    if (pos >= data->size())
      throw std::runtime_error("truncated at " + std::to_string(pos));
    return static_cast<uint8_t>((*data)[pos++]);
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      uint8_t c = byte();
      v = (v << 7) | (c & 0x7f);
      if (!(c & 0x80))
        return v;
    }
    throw std::runtime_error("varint too long at " + std::to_string(pos));
  }
  std::string bytes(size_t n) {
    if (n > data->size() || pos + n > data->size())
      throw std::runtime_error("truncated bytes at " + std::to_string(pos));
    std::string s = data->substr(pos, n);
    pos += n;
    return s;
  }
};

class ValueDecoder {
public:
  explicit ValueDecoder(const std::string& bytes) : c_{&bytes} {}
  Value value() {
    uint8_t first = c_.byte();
    bool immediate = first & 0x80;
    unsigned type = (first >> 4) & 7;
    uint64_t len = first & 7;
    if (first & 0x08) {
      for (;;) {
        uint8_t b = c_.byte();
        len = (len << 7) | (b & 0x7f);
        if (!(b & 0x80))
          break;
      }
    }
    Value v;
    if (!immediate)
      throw std::runtime_error("unexpected reference value (the writer never emits these)");
    switch (type) {
    case 0:
      v.kind = Value::Kind::Symbol;
      v.str = c_.bytes(len);
      return v;
    case 1:
      ++next_;
      for (uint64_t i = 0; i < len; ++i) {
        std::string name = symbol();
        v.entries[name] = value();
      }
      return v;
    case 2:
      v.kind = Value::Kind::Vector;
      ++next_;
      for (uint64_t i = 0; i < len; ++i)
        v.elems.push_back(value());
      return v;
    case 3:
      v.kind = Value::Kind::Integer;
      v.num = c_.varint();
      return v;
    case 4:
      v.kind = Value::Kind::String;
      v.str = c_.bytes(len);
      return v;
    }
    throw std::runtime_error("bad type");
  }
  bool done() const { return c_.pos == c_.data->size(); }

private:
  std::string symbol() {
    uint8_t first = c_.byte();
    uint64_t len = first & 7;
    if (first & 0x08)
      for (;;) {
        uint8_t b = c_.byte();
        len = (len << 7) | (b & 0x7f);
        if (!(b & 0x80))
          break;
      }
    if (first & 0x80) {
      std::string s = c_.bytes(len);
      if (seen_.count(s))
        throw std::runtime_error("symbol '" + s + "' written inline twice");
      seen_.insert(s);
      symbols_[next_++] = s;
      return s;
    }
    auto it = symbols_.find(len);
    if (it == symbols_.end())
      throw std::runtime_error("reference to unknown symbol " + std::to_string(len));
    return it->second;
  }
  Cursor c_;
  uint64_t next_ = 1;
  std::map<uint64_t, std::string> symbols_;
  std::set<std::string> seen_;
};

DecodedFs decodeFs(const std::string& path, uint64_t offset) {
  DecodedFs fs;
  std::string ext = readAt(path, offset, 512);
  Cursor c{&ext};
  if (c.bytes(6) != "NVMTFS" || c.varint() != 5)
    throw std::runtime_error("no TFS v5 header at " + std::to_string(offset));
  c.varint();
  std::string uuid = c.bytes(16);
  fs.uuid = uuid;
  while (uint8_t ch = c.byte())
    fs.label.push_back(static_cast<char>(ch));
  fs.extensions = 1;
  std::string value;
  uint64_t total = 0;
  bool complete = false;
  for (;;) {
    uint8_t frame = c.byte();
    if (frame == 1)
      break;
    if (frame == 5) {
      uint64_t block = c.varint(), blocks = c.varint();
      if (fs.extensions > 100000 || blocks == 0 || blocks > 1 << 20)
        throw std::runtime_error("bad log extension link (block " + std::to_string(block) +
                                 ") at offset " + std::to_string(offset + block * 512));
      ext = readAt(path, offset + block * 512, blocks * 512);
      c = Cursor{&ext};
      if (c.bytes(6) != "NVMTFS" || c.varint() != 5)
        throw std::runtime_error("bad extension header at block " + std::to_string(block));
      c.varint();
      ++fs.extensions;
      continue;
    }
    if (frame == 2) {
      total = c.varint();
      uint64_t seg = c.varint();
      value = c.bytes(seg);
    } else if (frame == 3) {
      uint64_t seg = c.varint();
      value += c.bytes(seg);
    } else {
      throw std::runtime_error("unknown frame " + std::to_string(frame));
    }
    if (value.size() == total) {
      ValueDecoder d(value);
      fs.root = d.value();
      if (!d.done())
        throw std::runtime_error("trailing bytes after the root value");
      complete = true;
    }
  }
  if (!complete)
    throw std::runtime_error("log ended without a complete root tuple");
  return fs;
}

uint32_t le32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

} // namespace

DecodedImage decodeImage(const std::string& path) {
  std::string mbr = readAt(path, 0, 512);
  if (mbr.substr(510) != "\x55\xAA")
    throw std::runtime_error("no MBR signature");
  DecodedImage img;
  img.bootOffset = uint64_t(le32(mbr, 0x1BE + 8)) * 512;
  img.rootOffset = uint64_t(le32(mbr, 0x1CE + 8)) * 512;
  img.rootSize = uint64_t(le32(mbr, 0x1CE + 12)) * 512;
  img.boot = decodeFs(path, img.bootOffset);
  img.root = decodeFs(path, img.rootOffset);
  return img;
}

const Value* lookup(const Value& root, const std::string& path) {
  const Value* v = &root;
  size_t pos = 1;
  while (pos <= path.size() && path.size() > 1) {
    size_t slash = path.find('/', pos);
    std::string name =
        path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (!v->has("children"))
      return nullptr;
    const Value& children = v->at("children");
    if (!children.has(name))
      return nullptr;
    v = &children.at(name);
    if (slash == std::string::npos)
      break;
    pos = slash + 1;
  }
  return v;
}

std::string readFile(const std::string& imagePath, uint64_t partOffset, const Value& file) {
  uint64_t length = file.has("filelength") ? file.at("filelength").number() : 0;
  if (length > (uint64_t(1) << 40))
    throw std::runtime_error("absurd filelength " + std::to_string(length));
  std::string data(length, '\0');
  for (const auto& [key, ext] : file.at("extents").entries) {
    uint64_t fileBlock = std::stoull(key);
    uint64_t off = ext.at("offset").number(), len = ext.at("length").number();
    if (fileBlock * 512 >= length && length)
      throw std::runtime_error("extent " + key + " beyond filelength");
    uint64_t bytes = std::min<uint64_t>(len * 512, length - fileBlock * 512);
    std::string chunk = readAt(imagePath, partOffset + off * 512, bytes);
    data.replace(fileBlock * 512, bytes, chunk);
  }
  return data;
}

} // namespace mkimage::reader
