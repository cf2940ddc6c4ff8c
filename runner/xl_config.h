// The xl(1) configuration for booting an image as a Xen PVH guest (spec: xen-pvh.md §3).
#pragma once

#include "run_options.h"

#include <string>

namespace runner {

// kernel and image must be absolute paths: xl resolves relative ones against its own cwd.
// image is the disk the guest gets read-write (nanos-run passes a temporary copy unless
// --persist). The console is the PVH guest's PV console (xl create -c attaches it).
// The guest name is derived from the image's file name (see xlGuestName) unless given.
// The domain is preserved when it powers off or crashes: nanos-run reads the exit status
// from its xenstore directory, then destroys it (xen_status.h).
std::string buildXlConfig(const RunOptions& options, const std::string& kernel,
                          const std::string& image, const std::string& name = "");

// "build/hello.img" -> "nanos-hello": xl names allow [A-Za-z0-9_.-]; anything else becomes '_'.
std::string xlGuestName(const std::string& image);

// An xl string literal: double-quoted, with '\' and '"' escaped.
std::string xlQuote(const std::string& value);

} // namespace runner
