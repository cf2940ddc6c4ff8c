// The KubeVirt manifest written beside a containerdisk artifact: a VirtualMachine that boots the
// disk from the container image (q35, virtio disk, masquerade pod network, virtio-rng) and a
// Service that exposes the image's ports on the VM's pod.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mkimage::artifact {

struct ServicePort {
  uint16_t port = 0;
  std::string protocol = "TCP"; // TCP or UDP
};

struct KubevirtOptions {
  std::string manifestPath;   // "" = no manifest
  std::string name;           // VM and Service name (a DNS-1123 label)
  std::string containerImage; // the registry reference the cluster pulls
  uint64_t memoryMiB = 256;
  unsigned cpus = 1;
  std::vector<ServicePort> ports;
};

// "8080", "53/udp", "443/tcp".
llvm::Expected<ServicePort> parseServicePort(llvm::StringRef text);
// A DNS-1123 label: 1-63 of [a-z0-9-], starting and ending with a letter or digit.
bool isDnsLabel(llvm::StringRef name);
// A name for the VM from a file name: lower case, other characters as '-', extension dropped.
std::string vmNameFromPath(llvm::StringRef path);

// The YAML text (two documents: VirtualMachine, then Service if there are ports). Errors: a
// bad name or image reference.
llvm::Expected<std::string> kubevirtManifest(const KubevirtOptions& options);

} // namespace mkimage::artifact
