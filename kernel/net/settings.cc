#include "net/settings.h"

#include "net/dhcp_message.h"

namespace net {
namespace {

Status bad(const char** bad_key, const char* key) {
  *bad_key = key;
  return Err(-EINVAL);
}

bool is_separator(uint8_t c) {
  return c == ' ' || c == ',' || c == '\t' || c == '\n';
}

// An address-valued key: absent (true, *out untouched), a valid string, or an error.
bool read_address(const tfs::Value* tuple, tfs::Key key, Ipv4Address* out, bool* present) {
  const tfs::Value* v = tfs::get(tuple, key);
  *present = v != nullptr;
  if (!v)
    return true;
  return v->kind == tfs::Kind::kBytes && parse_ipv4(v->bytes, v->len, out);
}

bool read_number(const tfs::Value* tuple, tfs::Key key, uint64_t max, uint32_t* out) {
  const tfs::Value* v = tfs::get(tuple, key);
  if (!v)
    return true;
  uint64_t n;
  if (!tfs::to_u64(v, &n) || n > max)
    return false;
  *out = static_cast<uint32_t>(n);
  return true;
}

Status read_interface(const tfs::Value* tuple, InterfaceSettings* out, const char** bad_key) {
  bool has_address, has_mask, has_gateway;
  Ipv4Address mask;
  if (!read_address(tuple, "ipaddr", &out->address, &has_address))
    return bad(bad_key, "ipaddr");
  if (!read_address(tuple, "netmask", &mask, &has_mask))
    return bad(bad_key, "netmask");
  if (has_mask) {
    auto prefix = netmask_prefix(mask); // dhcp_message.h
    if (!prefix)
      return bad(bad_key, "netmask");
    out->prefix_length = *prefix;
  }
  if (!read_address(tuple, "gateway", &out->gateway, &has_gateway))
    return bad(bad_key, "gateway");
  if (!read_number(tuple, "mtu", 65535, &out->mtu) || (out->mtu && out->mtu < 576))
    return bad(bad_key, "mtu"); // IPv4 needs at least 576 (RFC 791)
  uint32_t wait = UINT32_MAX;
  if (!read_number(tuple, "exec_wait_for_ip4_secs", UINT32_MAX - 1, &wait))
    return bad(bad_key, "exec_wait_for_ip4_secs");
  if (wait != UINT32_MAX) // present: 0 or more than 180 s mean 5 s, as in Nanos
    out->wait_for_ip4_secs = wait == 0 || wait > 180 ? 5 : wait;
  if (has_address && !has_gateway)
    out->gateway = default_gateway(out->address, out->prefix_length);
  return status_ok();
}

Status read_nameservers(const tfs::Value* v, NetSettings* out) {
  auto add = [out](const uint8_t* text, size_t len) {
    Ipv4Address a;
    if (!parse_ipv4(text, len, &a))
      return false;
    if (out->nameserver_count < NetSettings::kMaxNameservers)
      out->nameservers[out->nameserver_count++] = a;
    return true; // more than three: resolvers read only three (resolv.conf(5))
  };
  if (v->kind == tfs::Kind::kVector) {
    for (uint32_t i = 0; i < v->count; ++i) {
      const tfs::Value* e = v->items[i].value;
      if (!e || e->kind != tfs::Kind::kBytes || !add(e->bytes, e->len))
        return Err(-EINVAL);
    }
    return status_ok();
  }
  if (v->kind != tfs::Kind::kBytes)
    return Err(-EINVAL);
  size_t i = 0;
  while (i < v->len) {
    while (i < v->len && is_separator(v->bytes[i]))
      ++i;
    size_t start = i;
    while (i < v->len && !is_separator(v->bytes[i]))
      ++i;
    if (i > start && !add(v->bytes + start, i - start))
      return Err(-EINVAL);
  }
  return status_ok();
}

} // namespace

bool parse_ipv4(const uint8_t* text, size_t len, Ipv4Address* out) {
  uint32_t value = 0;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= len || text[i] != '.')
        return false;
      ++i;
    }
    size_t digits = 0;
    uint32_t n = 0;
    while (i < len && text[i] >= '0' && text[i] <= '9' && digits < 4) {
      n = n * 10 + (text[i++] - '0');
      ++digits;
    }
    if (digits == 0 || digits > 3 || n > 255)
      return false;
    value = value << 8 | n;
  }
  if (i != len)
    return false;
  out->value = value;
  return true;
}

Ipv4Address default_gateway(Ipv4Address address, uint8_t prefix_length) {
  uint32_t mask = prefix_mask(prefix_length);
  uint32_t network = address.value & mask;
  Ipv4Address first{network + 1};
  if (first != address)
    return first;
  return Ipv4Address{(network | ~mask) - 1}; // the broadcast address minus one
}

int interface_index(const char* name) {
  if (name[0] != 'e' || name[1] != 'n' || name[2] < '1' || name[2] > '9' || name[3] != 0)
    return -1;
  int n = name[2] - '1';
  return n < static_cast<int>(NetSettings::kMaxInterfaces) ? n : -1;
}

Status parse_net_settings(const tfs::Value* root, NetSettings* out, const char** bad_key) {
  *out = NetSettings{};
  *bad_key = nullptr;
  char name[4] = {'e', 'n', '1', 0};
  for (size_t i = 0; i < NetSettings::kMaxInterfaces; ++i) {
    name[2] = static_cast<char>('1' + i);
    const tfs::Value* tuple = tfs::get(root, reinterpret_cast<const uint8_t*>(name), 3);
    if (tuple && tuple->kind != tfs::Kind::kTuple)
      return bad(bad_key, "en1..en8 (not a tuple)");
    if (!tuple && i == 0)
      tuple = root; // Nanos: en1's keys may sit in the root tuple itself
    if (!tuple)
      continue;
    Status s = read_interface(tuple, &out->interfaces[i], bad_key);
    if (!s)
      return s;
  }
  if (const tfs::Value* v = tfs::get(root, "nameservers"); v && !read_nameservers(v, out))
    return bad(bad_key, "nameservers");
  return status_ok();
}

} // namespace net
