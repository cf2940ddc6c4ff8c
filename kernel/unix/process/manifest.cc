#include "unix/process/manifest.h"

#include "lib/errno.h"
#include "lib/kprintf.h"
#include "lib/path_rules.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace unix {
namespace {

// A string value as a C string (nullptr if v is not bytes or out of memory).
char* string_of(const tfs::Value* v) {
  return v && v->kind == tfs::Kind::kBytes ? kstrndup(v->bytes, v->len) : nullptr;
}

bool number_matches(const tfs::Value* v, int status) {
  if (!v || v->kind != tfs::Kind::kBytes) {
    uint64_t n;
    return tfs::to_u64(v, &n) && n == static_cast<uint64_t>(status);
  }
  if (v->len == 1 && v->bytes[0] == '*')
    return true;
  if (v->len > 1 && v->bytes[0] == '!') {
    tfs::Value rest = *v;
    rest.bytes = v->bytes + 1;
    rest.len = v->len - 1;
    uint64_t n;
    return tfs::to_u64(&rest, &n) && n != static_cast<uint64_t>(status);
  }
  uint64_t n;
  return tfs::to_u64(v, &n) && n == static_cast<uint64_t>(status);
}

} // namespace

bool exit_code_expected(const tfs::Value* rule, int status) {
  if (!rule)
    return false;
  if (rule->kind == tfs::Kind::kVector || rule->kind == tfs::Kind::kTuple) {
    for (uint32_t i = 0; i < rule->count; ++i)
      if (number_matches(rule->items[i].value, status))
        return true;
    return false;
  }
  return number_matches(rule, status);
}

Status read_manifest(const tfs::Value* root, Manifest* m) {
  m->program = string_of(tfs::get(root, "program"));
  if (!m->program || !m->program[0]) {
    kprintf("manifest: `program` is missing\n");
    return Err(-EINVAL);
  }
  if (m->program[0] != '/') {
    // Manifests written by other tools may say `program:syslog`: a path from the root, as
    // upstream Nanos reads it.
    size_t len = strlen(m->program);
    auto* absolute = static_cast<char*>(kmalloc(len + 2));
    if (!absolute)
      return Err(-ENOMEM);
    absolute[0] = '/';
    memcpy(absolute + 1, m->program, len + 1);
    m->program = absolute;
  }
  // arguments: a vector of strings (or a tuple keyed 0, 1, ...); argv = [program] when empty.
  const tfs::Value* args = tfs::get(root, "arguments");
  size_t argc = args && (args->kind == tfs::Kind::kVector || args->kind == tfs::Kind::kTuple)
                    ? args->count
                    : 0;
  m->argv = static_cast<const char**>(kzalloc((argc + 1) * sizeof(char*)));
  if (!m->argv)
    return Err(-ENOMEM);
  for (size_t i = 0; i < argc; ++i) {
    const tfs::Value* v = args->items[i].value;
    if (args->kind == tfs::Kind::kTuple) {
      // Tuple form: find the item whose key is the decimal index i.
      char key[24];
      size_t n = 0;
      for (uint64_t x = i;; x /= 10) {
        key[n++] = static_cast<char>('0' + x % 10);
        if (x < 10)
          break;
      }
      for (size_t j = 0; j < n / 2; ++j) {
        char t = key[j];
        key[j] = key[n - 1 - j];
        key[n - 1 - j] = t;
      }
      key[n] = 0;
      v = tfs::get(args, reinterpret_cast<const uint8_t*>(key), strlen(key));
    }
    char* s = string_of(v);
    if (!s) {
      kprintf("manifest: `arguments` element %zu is not a string\n", i);
      return Err(-EINVAL);
    }
    m->argv[i] = s;
  }
  if (argc == 0) {
    m->argv[0] = m->program;
    argc = 1;
  }
  m->argc = argc;
  // environment: tuple NAME -> string, passed as NAME=value.
  const tfs::Value* env = tfs::get(root, "environment");
  size_t envc = env && env->kind == tfs::Kind::kTuple ? env->count : 0;
  m->envp = static_cast<const char**>(kzalloc((envc + 1) * sizeof(char*)));
  if (!m->envp)
    return Err(-ENOMEM);
  for (size_t i = 0; i < envc; ++i) {
    const tfs::Item& it = env->items[i];
    if (!it.value || it.value->kind != tfs::Kind::kBytes) {
      kprintf("manifest: `environment` value of %.*s is not a string\n",
              static_cast<int>(it.name_len), reinterpret_cast<const char*>(it.name));
      return Err(-EINVAL);
    }
    auto* s = static_cast<char*>(kmalloc(it.name_len + 1 + it.value->len + 1));
    if (!s)
      return Err(-ENOMEM);
    memcpy(s, it.name, it.name_len);
    s[it.name_len] = '=';
    memcpy(s + it.name_len + 1, it.value->bytes, it.value->len);
    s[it.name_len + 1 + it.value->len] = 0;
    m->envp[i] = s;
  }
  m->envc = envc;
  if (const tfs::Value* cwd = tfs::get(root, "cwd")) {
    m->cwd = string_of(cwd);
    if (!m->cwd) {
      kprintf("manifest: `cwd` is not a string\n");
      return Err(-EINVAL);
    }
    // The rules nanos-mkimage applies to --cwd (lib/path_rules.h), for images from elsewhere.
    klib::PathProblem problem =
        klib::check_guest_path(reinterpret_cast<const char*>(cwd->bytes), cwd->len);
    if (problem != klib::PathProblem::kNone) {
      kprintf("manifest: cwd %.*s: %s\n", static_cast<int>(cwd->len < 200 ? cwd->len : 200), m->cwd,
              klib::path_problem_text(problem));
      return Err(-EINVAL);
    }
  }
  m->debug_exit = tfs::get(root, "debug_exit") != nullptr;
  m->noaslr = tfs::get(root, "noaslr") != nullptr;
  m->trace = tfs::get(root, "trace") != nullptr;
  m->boot_timing = tfs::get(root, "boot_timing") != nullptr;
  m->syscall_summary = tfs::get(root, "syscall_summary") != nullptr;
  m->expected_exit_code = tfs::get(root, "expected_exit_code");
  if (const tfs::Value* u = tfs::get(root, "uname")) {
    if (char* s = string_of(tfs::get(u, "sysname")))
      m->uname_sysname = s;
    if (char* s = string_of(tfs::get(u, "release")))
      m->uname_release = s;
  }
  return status_ok();
}

} // namespace unix
