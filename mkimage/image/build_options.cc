#include "image/build_options.h"

#include "resolver/error_text.h"
#include "support/json_depth.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace mkimage {

const char* const kBuildUsage =
    "usage: nanos-mkimage build PROGRAM -o IMAGE [--arg A]... [--argv0 NAME] [--env K=V]...\n"
    "    [--file HOST:GUEST]... [--dir HOST:GUEST]... [--program-path GUEST] [--cwd DIR]\n"
    "    [--kernel FILE] [--boot FILE] [--uefi] [--uefi-loader FILE] [--set KEY=VALUE]...\n"
    "    [--size SIZE] [--margin SIZE]\n"
    "    [--sysroot DIR] [--seed S] [--bom FILE] [--depfile FILE] [-c CONFIG.json]\n"
    "    [--compress] [--threads N] [--label L] [--no-nss] [--no-ld-cache] [--library SONAME]...\n"
    "    [--no-debug-exit] [--no-image-digest] [--expected-exit-code N] [--noaslr] [--ipaddr A]\n"
    "    [--netmask M] [--gateway G] [--nameserver A]... [--trace FLAGS] [--boot-timing]\n"
    "    [--syscall-summary] [--package NAME[:ARCH]]... [--no-plugin-closure]\n";

// Messages quote keys and values from the user: control characters are escaped (\xNN) so
// that an error stays one line.
static llvm::Error fail(const llvm::Twine& message) {
  return errorLine(message);
}

llvm::Expected<uint64_t> parseSize(llvm::StringRef text) {
  llvm::StringRef digits = text;
  uint64_t unit = 1;
  if (!digits.empty()) {
    switch (llvm::toLower(digits.back())) {
    case 'k':
      unit = 1ull << 10;
      break;
    case 'm':
      unit = 1ull << 20;
      break;
    case 'g':
      unit = 1ull << 30;
      break;
    case 't':
      unit = 1ull << 40;
      break;
    default:
      break;
    }
    if (unit != 1)
      digits = digits.drop_back();
  }
  uint64_t value = 0;
  if (digits.empty() || digits.getAsInteger(10, value) || value > (UINT64_MAX / unit))
    return fail("invalid size '" + text + "' (expected a number with an optional K/M/G suffix)");
  return value * unit;
}

llvm::Expected<PathMapping> parseMapping(llvm::StringRef text, llvm::StringRef option) {
  // Split at the last ":/" so host paths may contain ':' (guest paths start with '/').
  size_t colon = text.rfind(":/");
  if (colon == llvm::StringRef::npos || colon == 0)
    return usageError(option + " '" + text + "': expected HOST:GUEST with an absolute GUEST path");
  return PathMapping{text.substr(0, colon).str(), text.substr(colon + 1).str(),
                     (option + " " + text).str()};
}

static llvm::Error parseKeyValue(llvm::StringRef text, llvm::StringRef option, std::string& key,
                                 std::string& value) {
  auto [k, v] = text.split('=');
  if (k.empty() || k.size() == text.size())
    return usageError(option + " '" + text + "': expected KEY=VALUE");
  key = k.str();
  value = v.str();
  return llvm::Error::success();
}

llvm::Expected<BuildOptions> parseBuildOptions(Args args) {
  BuildOptions o;
  if (auto e = parseBuildOptionsInto(args, o))
    return e;
  return o;
}

llvm::Error parseBuildOptionsInto(Args args, BuildOptions& o) {
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    llvm::StringRef a = args[i];
    auto value = [&]() -> llvm::Expected<llvm::StringRef> {
      if (i + 1 >= args.size())
        return usageError("option " + a + " needs a value");
      return args[++i];
    };
#define VALUE(var)                                                                                 \
  auto var##OrErr = value();                                                                       \
  if (!var##OrErr)                                                                                 \
    return var##OrErr.takeError();                                                                 \
  llvm::StringRef var = *var##OrErr;

    if (a == "--help" || a == "-h")
      return usageError(llvm::StringRef(kBuildUsage).rtrim());
    if (a == "-o" || a == "--output") {
      VALUE(v);
      o.output = v.str();
    } else if (a == "--arg") {
      VALUE(v);
      o.args.push_back(v.str());
    } else if (a == "--argv0") {
      VALUE(v);
      o.argv0 = v.str();
    } else if (a == "--env") {
      VALUE(v);
      std::string k, val;
      if (auto e = parseKeyValue(v, a, k, val))
        return e;
      o.env[k] = val;
    } else if (a == "--file" || a == "--dir") {
      VALUE(v);
      auto m = parseMapping(v, a);
      if (!m)
        return m.takeError();
      (a == "--file" ? o.files : o.dirs).push_back(*m);
    } else if (a == "--program-path") {
      VALUE(v);
      o.programPath = v.str();
    } else if (a == "--cwd") {
      VALUE(v);
      o.cwd = v.str();
    } else if (a == "--kernel") {
      VALUE(v);
      o.kernel = v.str();
    } else if (a == "--boot") {
      VALUE(v);
      o.boot = v.str();
    } else if (a == "--uefi") {
      o.uefi = true;
    } else if (a == "--uefi-loader") {
      VALUE(v);
      o.uefiLoader = v.str();
    } else if (a == "--set") {
      VALUE(v);
      std::string k, val;
      if (auto e = parseKeyValue(v, a, k, val))
        return e;
      o.settings[k] = val;
    } else if (a == "--size" || a == "--margin") {
      VALUE(v);
      auto s = parseSize(v);
      if (!s)
        return usageError(a + ": " + llvm::toString(s.takeError()));
      if (a == "--size")
        o.size = *s;
      else
        o.margin = *s;
    } else if (a == "--sysroot") {
      VALUE(v);
      o.sysroot = v.str();
    } else if (a == "--seed") {
      VALUE(v);
      o.seed = v.str();
    } else if (a == "--bom") {
      VALUE(v);
      o.bom = v.str();
    } else if (a == "--depfile") {
      VALUE(v);
      o.depfile = v.str();
    } else if (a == "-c" || a == "--config") {
      VALUE(v);
      if (auto e = applyConfigFile(v.str(), o))
        return e;
    } else if (a == "--compress") {
      o.compress = true;
    } else if (a == "--threads") {
      VALUE(v);
      if (v.getAsInteger(10, o.threads))
        return usageError("--threads '" + v + "': expected a number");
    } else if (a == "--label") {
      VALUE(v);
      o.label = v.str(); // checked with every other value in checkBuildOptions
    } else if (a == "--no-nss") {
      o.nss = false;
    } else if (a == "--no-ld-cache") {
      o.ldCache = false;
    } else if (a == "--library") {
      VALUE(v);
      o.libraries.push_back(v.str());
    } else if (a == "--package") {
      VALUE(v);
      o.packages.push_back(v.str()); // checked in checkBuildOptions
    } else if (a == "--no-plugin-closure") {
      o.pluginClosure = false;
    } else if (a == "--no-debug-exit") {
      o.debugExit = false;
    } else if (a == "--no-image-digest") {
      o.imageDigest = false;
    } else if (a == "--expected-exit-code") {
      VALUE(v);
      o.settings["expected_exit_code"] = v.str();
    } else if (a == "--noaslr") {
      o.settings["noaslr"] = "t";
    } else if (a == "--ipaddr" || a == "--netmask" || a == "--gateway" || a == "--trace") {
      VALUE(v);
      o.settings[a.drop_front(2).str()] = v.str();
    } else if (a == "--nameserver") {
      VALUE(v);
      o.nameservers.push_back(v.str()); // checked in checkBuildOptions
    } else if (a == "--boot-timing") {
      o.settings["boot_timing"] = "t";
    } else if (a == "--syscall-summary") {
      o.settings["syscall_summary"] = "t";
    } else if (a.startswith("-") && a != "-") {
      return usageError("unknown option '" + a + "' (see 'nanos-mkimage build --help')");
    } else {
      positional.push_back(a.str());
    }
#undef VALUE
  }
  if (positional.size() > 1)
    return usageError("more than one PROGRAM given: '" + positional[0] + "' and '" + positional[1] +
                      "'");
  if (!positional.empty())
    o.program = positional[0];
  if (o.program.empty())
    return usageError("no PROGRAM given");
  if (o.output.empty())
    return usageError("no output image given (-o IMAGE)");
  return checkBuildOptions(o);
}

// ---- JSON config -------------------------------------------------------------------

namespace {

class ConfigReader {
public:
  ConfigReader(std::string path, BuildOptions& o) : path_(std::move(path)), o_(o) {
    dir_ = llvm::sys::path::parent_path(path_).str();
  }

  llvm::Error apply(const llvm::json::Object& root) {
    // Sorted so the first unknown key reported does not depend on the file's key order.
    std::vector<std::string> keys;
    for (const auto& kv : root)
      keys.push_back(kv.first.str());
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys)
      if (auto e = applyKey(key, *root.get(key)))
        return e;
    return llvm::Error::success();
  }

private:
  llvm::Error err(const llvm::Twine& key, const llvm::Twine& what) {
    return fail(path_ + ": key \"" + key + "\": " + what);
  }
  std::string resolve(llvm::StringRef p) {
    if (p.empty() || llvm::sys::path::is_absolute(p) || dir_.empty())
      return p.str();
    return dir_ + "/" + p.str();
  }
  // Values are checked, never coerced: a number where a string belongs is an error.
  llvm::Expected<std::string> str(const std::string& key, const llvm::json::Value& v) {
    if (auto s = v.getAsString())
      return s->str();
    return err(key, "expected a string, not " + typeName(v));
  }
  // The keys documented as "string or number" (sizes, the exit code).
  llvm::Expected<std::string> strOrNumber(const std::string& key, const llvm::json::Value& v) {
    if (auto s = v.getAsString())
      return s->str();
    if (auto n = v.getAsInteger())
      return std::to_string(*n);
    return err(key, "expected a string or an integer, not " + typeName(v));
  }
  static std::string typeName(const llvm::json::Value& v) {
    switch (v.kind()) {
    case llvm::json::Value::Null:
      return "null";
    case llvm::json::Value::Boolean:
      return "a boolean";
    case llvm::json::Value::Number:
      return "a number";
    case llvm::json::Value::String:
      return "a string";
    case llvm::json::Value::Array:
      return "an array";
    case llvm::json::Value::Object:
      return "an object";
    }
    return "a value";
  }
  llvm::Expected<std::vector<std::string>> strings(const std::string& key,
                                                   const llvm::json::Value& v) {
    const llvm::json::Array* arr = v.getAsArray();
    if (!arr)
      return err(key, "expected an array of strings");
    std::vector<std::string> out;
    for (const llvm::json::Value& e : *arr) {
      auto s = e.getAsString();
      if (!s)
        return err(key + "[" + std::to_string(out.size()) + "]",
                   "expected a string, not " + typeName(e));
      out.push_back(s->str());
    }
    return out;
  }
  llvm::Expected<bool> boolean(const std::string& key, const llvm::json::Value& v) {
    if (auto b = v.getAsBoolean())
      return *b;
    return err(key, "expected true or false");
  }
  // Nested ManifestPassthrough objects become dotted --set keys; arrays are not supported
  // by --set and are rejected with a clear message.
  llvm::Error flatten(const std::string& key, const std::string& prefix,
                      const llvm::json::Value& v) {
    if (const llvm::json::Object* obj = v.getAsObject()) {
      for (const auto& kv : *obj)
        if (auto e = flatten(key, prefix + "." + kv.first.str(), kv.second))
          return e;
      return llvm::Error::success();
    }
    auto s = v.getAsString();
    if (!s)
      return err(key, "value of '" + prefix.substr(1) + "' must be a string or an object, not " +
                          typeName(v));
    o_.settings[prefix.substr(1)] = s->str();
    return llvm::Error::success();
  }

  llvm::Error applyKey(const std::string& key, const llvm::json::Value& v) {
    auto setString = [&](std::string& field, bool isPath) -> llvm::Error {
      auto s = str(key, v);
      if (!s)
        return s.takeError();
      field = isPath ? resolve(*s) : *s;
      return llvm::Error::success();
    };
    if (key == "Program")
      return setString(o_.program, true);
    if (key == "Output")
      return setString(o_.output, true);
    if (key == "ProgramPath")
      return setString(o_.programPath, false);
    if (key == "Cwd")
      return setString(o_.cwd, false);
    if (key == "Kernel")
      return setString(o_.kernel, true);
    if (key == "Boot")
      return setString(o_.boot, true);
    if (key == "UefiLoader")
      return setString(o_.uefiLoader, true);
    if (key == "Sysroot" || key == "TargetRoot")
      return setString(o_.sysroot, true);
    if (key == "Seed")
      return setString(o_.seed, false);
    if (key == "Label")
      return setString(o_.label, false);
    if (key == "Argv0") {
      std::string s;
      if (auto e = setString(s, false))
        return e;
      o_.argv0 = s;
      return llvm::Error::success();
    }
    if (key == "Args" || key == "Libraries" || key == "NameServers" || key == "Packages") {
      auto list = strings(key, v);
      if (!list)
        return list.takeError();
      auto& target = key == "Args"        ? o_.args
                     : key == "Libraries" ? o_.libraries
                     : key == "Packages"  ? o_.packages
                                          : o_.nameservers;
      target.insert(target.end(), list->begin(), list->end());
      return llvm::Error::success();
    }
    if (key == "Env" || key == "ManifestPassthrough") {
      const llvm::json::Object* obj = v.getAsObject();
      if (!obj)
        return err(key, "expected an object");
      if (key == "ManifestPassthrough")
        return flatten(key, "", v);
      for (const auto& kv : *obj) {
        auto s = str(key + "." + kv.first.str(), kv.second);
        if (!s)
          return s.takeError();
        o_.env[kv.first.str()] = *s;
      }
      return llvm::Error::success();
    }
    if (key == "Files" || key == "Dirs") {
      // ops semantics: a relative path is placed at the same relative path under "/";
      // our extension: "HOST:GUEST" with an absolute guest path.
      auto list = strings(key, v);
      if (!list)
        return list.takeError();
      auto& target = key == "Files" ? o_.files : o_.dirs;
      for (size_t i = 0; i < list->size(); ++i) {
        llvm::StringRef item = (*list)[i];
        std::string origin = path_ + ": " + key + "[" + std::to_string(i) + "]";
        size_t colon = item.rfind(":/");
        if (colon != llvm::StringRef::npos && colon > 0) {
          target.push_back({resolve(item.substr(0, colon)), item.substr(colon + 1).str(), origin});
        } else {
          if (llvm::sys::path::is_absolute(item))
            target.push_back({item.str(), item.str(), origin});
          else
            target.push_back({resolve(item), "/" + item.str(), origin});
        }
      }
      return llvm::Error::success();
    }
    if (key == "MapDirs" || key == "MapFiles") {
      const llvm::json::Object* obj = v.getAsObject();
      if (!obj)
        return err(key, "expected an object {\"HOST\": \"GUEST\"}");
      std::vector<std::string> hosts;
      for (const auto& kv : *obj)
        hosts.push_back(kv.first.str());
      std::sort(hosts.begin(), hosts.end());
      for (const std::string& host : hosts) {
        auto s = obj->getString(host);
        if (!s)
          return err(key, "value for '" + host + "' must be a guest path string");
        (key == "MapDirs" ? o_.dirs : o_.files)
            .push_back({resolve(host), s->str(), path_ + ": " + key + "[" + host + "]"});
      }
      return llvm::Error::success();
    }
    if (key == "BaseVolumeSz" || key == "Size" || key == "Margin") {
      auto s = strOrNumber(key, v);
      if (!s)
        return s.takeError();
      auto n = parseSize(*s);
      if (!n)
        return err(key, llvm::toString(n.takeError()));
      if (key == "Margin")
        o_.margin = *n;
      else
        o_.size = *n;
      return llvm::Error::success();
    }
    if (key == "Debugflags") {
      auto list = strings(key, v);
      if (!list)
        return list.takeError();
      for (const std::string& flag : *list)
        o_.settings[flag] = "t";
      return llvm::Error::success();
    }
    if (key == "RunConfig") {
      const llvm::json::Object* obj = v.getAsObject();
      if (!obj)
        return err(key, "expected an object");
      static const std::pair<const char*, const char*> kNet[] = {
          {"IPAddress", "ipaddr"}, {"NetMask", "netmask"}, {"Gateway", "gateway"}};
      for (const auto& kv : *obj) {
        std::string sub = kv.first.str();
        const char* manifestKey = nullptr;
        for (const auto& [name, mk] : kNet)
          if (sub == name)
            manifestKey = mk;
        if (!manifestKey)
          return err("RunConfig." + sub, "unknown key (supported: IPAddress, NetMask, Gateway)");
        auto s = str("RunConfig." + sub, kv.second);
        if (!s)
          return s.takeError();
        o_.settings[manifestKey] = *s;
      }
      return llvm::Error::success();
    }
    if (key == "Compress" || key == "NoNss" || key == "NoLdCache" || key == "DebugExit" ||
        key == "NoImageDigest" || key == "NoAslr" || key == "BootTiming" ||
        key == "SyscallSummary" || key == "NoPluginClosure" || key == "Uefi") {
      auto b = boolean(key, v);
      if (!b)
        return b.takeError();
      if (key == "Compress")
        o_.compress = *b;
      else if (key == "Uefi")
        o_.uefi = *b;
      else if (key == "NoNss")
        o_.nss = !*b;
      else if (key == "NoLdCache")
        o_.ldCache = !*b;
      else if (key == "NoPluginClosure")
        o_.pluginClosure = !*b;
      else if (key == "DebugExit")
        o_.debugExit = *b;
      else if (key == "NoImageDigest")
        o_.imageDigest = !*b;
      else if (*b)
        o_.settings[key == "NoAslr"       ? "noaslr"
                    : key == "BootTiming" ? "boot_timing"
                                          : "syscall_summary"] = "t";
      return llvm::Error::success();
    }
    if (key == "ExpectedExitCode" || key == "Trace") {
      auto s = key == "Trace" ? str(key, v) : strOrNumber(key, v);
      if (!s)
        return s.takeError();
      o_.settings[key == "Trace" ? "trace" : "expected_exit_code"] = *s;
      return llvm::Error::success();
    }
    return err(key, "unknown key (see docs/mkimage.md, \"Config file\")");
  }

  std::string path_, dir_;
  BuildOptions& o_;
};

} // namespace

llvm::Error applyConfigFile(const std::string& path, BuildOptions& options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return fail(path + ": cannot read config file: " + buffer.getError().message());
  options.configFiles.push_back(path);
  return applyConfigText((*buffer)->getBuffer(), path, options);
}

llvm::Error applyConfigText(llvm::StringRef text, const std::string& path, BuildOptions& options) {
  if (auto e = checkJsonNesting(text, path))
    return e;
  auto json = llvm::json::parse(text);
  if (!json)
    return fail(path + ": invalid JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object* root = json->getAsObject();
  if (!root)
    return fail(path + ": the config must be a JSON object");
  return ConfigReader(path, options).apply(*root);
}

} // namespace mkimage
