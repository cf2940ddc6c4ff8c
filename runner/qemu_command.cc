#include "qemu_command.h"

namespace runner {

std::string escapeQemuOptionValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    out += c;
    if (c == ',')
      out += ',';
  }
  return out;
}

static bool shellSafe(const std::string& s) {
  if (s.empty())
    return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '/' || c == ',' || c == '=' || c == ':' ||
              c == '+' || c == '@' || c == '%';
    if (!ok)
      return false;
  }
  return true;
}

std::string shellQuoteCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i)
      out += ' ';
    if (shellSafe(argv[i])) {
      out += argv[i];
      continue;
    }
    out += '\'';
    for (char c : argv[i]) {
      if (c == '\'')
        out += "'\\''";
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

std::vector<std::string> buildQemuArgv(const RunOptions& o, const std::string& qemuBinary,
                                       Accel accel, const std::string& exitChannelPath) {
  const bool microvm = o.machine == "microvm";
  // microvm has no PCI bus: its virtio devices sit on virtio-mmio.
  const std::string virtioSuffix = microvm ? "-device" : "-pci";
  std::vector<std::string> a = {qemuBinary};
  auto add = [&](std::initializer_list<std::string> items) { a.insert(a.end(), items); };

  add({"-machine", microvm ? "microvm" : o.machine});
  // The host CPU minus arch-capabilities: some KVM hosts (this project's kvm-pvm among them)
  // report MSR_IA32_ARCH_CAPABILITIES bits that they then refuse to set, and QEMU aborts at
  // start ("failed to set MSR 0x10a"). The kernel never reads that MSR.
  if (accel == Accel::Kvm)
    add({"-accel", "kvm", "-cpu", "host,-arch-capabilities"});
  else
    add({"-accel", "tcg", "-cpu", "max"});
  add({"-m", std::to_string(o.memoryMiB) + "M", "-smp", std::to_string(o.cpus)});
  // UEFI: OVMF's code read-only in the first flash, the run's own variable store in the second
  // (the firmware writes boot entries there; a shared store would leak between runs).
  if (o.firmware == "uefi")
    add({"-drive",
         "if=pflash,format=raw,unit=0,readonly=on,file=" + escapeQemuOptionValue(o.ovmfCode),
         "-drive", "if=pflash,format=raw,unit=1,file=" + escapeQemuOptionValue(o.ovmfVars)});
  add({"-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio", "-no-reboot"});
  // The guest writes its exit status to port 0x501; QEMU then exits (status << 1) | 1.
  add({"-device", "isa-debug-exit,iobase=0x501,iosize=0x02"});
  // The exit channel: a UART at COM2's address, written to a file, where the kernel puts its
  // exit record (the full 8-bit status and whether it was an exit, a signal or a panic).
  // An explicit isa-serial (not a second -serial) so that it sits at 0x2F8 on every
  // machine type, microvm included.
  if (!exitChannelPath.empty())
    add({"-chardev", "file,id=nanos-exit,path=" + escapeQemuOptionValue(exitChannelPath), "-device",
         "isa-serial,chardev=nanos-exit,iobase=0x2f8,irq=3"});
  // The boot loader prints its progress lines only when this fw_cfg file exists
  // (kernel/boot/fw_cfg.cc): quiet consoles by default, details on request.
  if (o.verbose)
    add({"-fw_cfg", "name=opt/nanos/verbose,string=1"});
  if (!o.kernel.empty())
    add({"-kernel", o.kernel}); // PVH direct boot: the ELF's PVH note, no boot sector
  add({"-drive",
       "file=" + escapeQemuOptionValue(o.image) + ",format=" + o.imageFormat + ",if=none,id=d0"});
  if (o.disk == "virtio-scsi") // a SCSI disk (target 0, LUN 0) behind a virtio-scsi controller
    add({"-device", "virtio-scsi" + virtioSuffix + ",id=scsi0", "-device",
         "scsi-hd,drive=d0,bus=scsi0.0"});
  else if (o.disk == "nvme") // an NVMe controller whose namespace 1 is the disk (AWS Nitro's model)
    add({"-device", "nvme,serial=nanos0,drive=d0"});
  else
    add({"-device", "virtio-blk" + virtioSuffix + ",drive=d0"});
  add({"-device", "virtio-rng" + virtioSuffix});
  if (!o.persist)
    a.push_back("-snapshot"); // writes go to a temporary overlay: the image stays untouched
  appendNetArgs(a, o.net, o.ports, virtioSuffix); // net_options.cc
  if (o.gdbPort) // wait for the debugger before the first instruction
    add({"-gdb", "tcp:127.0.0.1:" + std::to_string(*o.gdbPort), "-S"});
  a.insert(a.end(), o.extraQemuArgs.begin(), o.extraQemuArgs.end());
  return a;
}

} // namespace runner
