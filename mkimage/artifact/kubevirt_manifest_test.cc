#include "artifact/kubevirt_manifest.h"

#include <gtest/gtest.h>

namespace mkimage::artifact {
namespace {

KubevirtOptions named(const char* name, const char* image) {
  KubevirtOptions o;
  o.name = name;
  o.containerImage = image;
  return o;
}

TEST(KubevirtManifest, VirtualMachineAndServiceForThePorts) {
  KubevirtOptions o;
  o.name = "hello";
  o.containerImage = "registry.example.com/hello:1";
  o.memoryMiB = 512;
  o.cpus = 2;
  o.ports = {{8080, "TCP"}, {53, "UDP"}};
  auto y = kubevirtManifest(o);
  ASSERT_TRUE(static_cast<bool>(y)) << llvm::toString(y.takeError());
  for (const char* expected :
       {"kind: VirtualMachine", "name: hello", "cores: 2", "memory: 512Mi", "bus: virtio",
        "masquerade: {}", "rng: {}", "pod: {}", "image: \"registry.example.com/hello:1\"",
        "\n---\n", "kind: Service", "kubevirt.io/domain: hello", "port: 8080", "name: udp-53",
        "protocol: UDP"})
    EXPECT_NE(y->find(expected), std::string::npos) << expected;
}

TEST(KubevirtManifest, NoServiceWithoutPorts) {
  KubevirtOptions o = named("app", "app:latest");
  auto y = kubevirtManifest(o);
  ASSERT_TRUE(static_cast<bool>(y));
  EXPECT_EQ(y->find("kind: Service"), std::string::npos);
}

TEST(KubevirtManifest, RefusesNamesAndReferencesThatBreakTheYaml) {
  EXPECT_FALSE(static_cast<bool>(kubevirtManifest(named("Hello", "a:b"))));
  EXPECT_FALSE(static_cast<bool>(kubevirtManifest(named("a: b", "a:b"))));
  EXPECT_FALSE(static_cast<bool>(kubevirtManifest(named("ok", "a\"b"))));
  EXPECT_FALSE(static_cast<bool>(kubevirtManifest(named("ok", "a b"))));
}

TEST(KubevirtManifest, PortsAndNames) {
  auto p = parseServicePort("53/udp");
  ASSERT_TRUE(static_cast<bool>(p));
  EXPECT_EQ(p->port, 53);
  EXPECT_EQ(p->protocol, "UDP");
  EXPECT_FALSE(static_cast<bool>(parseServicePort("0")));
  EXPECT_FALSE(static_cast<bool>(parseServicePort("70000")));
  EXPECT_FALSE(static_cast<bool>(parseServicePort("80/sctp")));
  EXPECT_TRUE(isDnsLabel("my-app1"));
  EXPECT_FALSE(isDnsLabel("-a"));
  EXPECT_FALSE(isDnsLabel(std::string(64, 'a')));
  EXPECT_EQ(vmNameFromPath("out/My_App.containerdisk.tar"), "my-app-containerdisk");
}

} // namespace
} // namespace mkimage::artifact
