// The few UEFI definitions the loader uses, written from the UEFI specification (2.10):
// tables and protocols keep the spec's field order; members the loader never calls are
// declared as opaque pointers so the offsets stay right. Compiled for x86_64-windows, so
// `long` is 32 bits and every function pointer uses the Microsoft x64 convention UEFI
// requires; wchar_t is 16 bits (-fshort-wchar) as CHAR16 is.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace efi {

using Status = uint64_t;
using Handle = void*;
using Char16 = wchar_t;
static_assert(sizeof(Char16) == 2, "build with -fshort-wchar");

constexpr Status kSuccess = 0;
constexpr Status kErrorBit = 1ull << 63;
constexpr Status kBufferTooSmall = kErrorBit | 5;
constexpr Status kInvalidParameter = kErrorBit | 2;
inline bool failed(Status s) {
  return (s & kErrorBit) != 0;
}

struct Guid {
  uint32_t data1;
  uint16_t data2;
  uint16_t data3;
  uint8_t data4[8];
};
bool same_guid(const Guid& a, const Guid& b);

// §4.2: every table starts with this header.
struct TableHeader {
  uint64_t signature;
  uint32_t revision;
  uint32_t header_size;
  uint32_t crc32;
  uint32_t reserved;
};

// §12.4 Simple Text Output (only OutputString is used).
struct SimpleTextOutput {
  void* reset;
  Status (*output_string)(SimpleTextOutput* self, const Char16* text);
};

// §7.2 memory types and descriptors.
enum MemoryType : uint32_t {
  kReservedMemoryType = 0,
  kLoaderCode = 1,
  kLoaderData = 2,
  kBootServicesCode = 3,
  kBootServicesData = 4,
  kRuntimeServicesCode = 5,
  kRuntimeServicesData = 6,
  kConventionalMemory = 7,
  kUnusableMemory = 8,
  kAcpiReclaimMemory = 9,
  kAcpiMemoryNvs = 10,
  kMemoryMappedIo = 11,
  kMemoryMappedIoPortSpace = 12,
  kPalCode = 13,
  kPersistentMemory = 14,
};

struct MemoryDescriptor {
  uint32_t type;
  uint32_t pad;
  uint64_t physical_start;
  uint64_t virtual_start;
  uint64_t number_of_pages; // 4 KiB pages
  uint64_t attribute;
};

enum AllocateType : uint32_t {
  kAllocateAnyPages = 0,
  kAllocateMaxAddress = 1,
  kAllocateAddress = 2
};

// §4.4 Boot Services, in table order.
struct BootServices {
  TableHeader hdr;
  void* raise_tpl;
  void* restore_tpl;
  Status (*allocate_pages)(AllocateType type, MemoryType memory_type, uint64_t pages,
                           uint64_t* address);
  Status (*free_pages)(uint64_t address, uint64_t pages);
  Status (*get_memory_map)(uint64_t* size, MemoryDescriptor* map, uint64_t* map_key,
                           uint64_t* descriptor_size, uint32_t* descriptor_version);
  Status (*allocate_pool)(MemoryType type, uint64_t size, void** buffer);
  Status (*free_pool)(void* buffer);
  void* create_event;
  void* set_timer;
  void* wait_for_event;
  void* signal_event;
  void* close_event;
  void* check_event;
  void* install_protocol_interface;
  void* reinstall_protocol_interface;
  void* uninstall_protocol_interface;
  Status (*handle_protocol)(Handle handle, const Guid* protocol, void** interface);
  void* reserved;
  void* register_protocol_notify;
  void* locate_handle;
  Status (*locate_device_path)(const Guid* protocol, void** device_path, Handle* device);
  void* install_configuration_table;
  void* load_image;
  void* start_image;
  void* exit;
  void* unload_image;
  Status (*exit_boot_services)(Handle image, uint64_t map_key);
  void* get_next_monotonic_count;
  void* stall;
  Status (*set_watchdog_timer)(uint64_t timeout, uint64_t code, uint64_t data_size,
                               const Char16* data);
};

// §8.5.1 ResetSystem.
enum ResetType : uint32_t { kResetCold = 0, kResetWarm = 1, kResetShutdown = 2 };

// §8 Runtime Services, in table order (only ResetSystem is used).
struct RuntimeServices {
  TableHeader hdr;
  void* get_time;
  void* set_time;
  void* get_wakeup_time;
  void* set_wakeup_time;
  void* set_virtual_address_map;
  void* convert_pointer;
  void* get_variable;
  void* get_next_variable_name;
  void* set_variable;
  void* get_next_high_monotonic_count;
  void (*reset_system)(ResetType type, Status status, uint64_t data_size, const void* data);
};

// §4.6 configuration table entries.
struct ConfigurationTable {
  Guid vendor_guid;
  void* vendor_table;
};

// §4.3 System Table.
struct SystemTable {
  TableHeader hdr;
  const Char16* firmware_vendor;
  uint32_t firmware_revision;
  Handle console_in_handle;
  void* con_in;
  Handle console_out_handle;
  SimpleTextOutput* con_out;
  Handle standard_error_handle;
  SimpleTextOutput* std_err;
  RuntimeServices* runtime_services;
  BootServices* boot_services;
  uint64_t number_of_table_entries;
  ConfigurationTable* configuration_table;
};

// §9.1 Loaded Image protocol.
struct LoadedImage {
  uint32_t revision;
  Handle parent_handle;
  SystemTable* system_table;
  Handle device_handle; // the partition (or disk) the image was loaded from
  void* file_path;
  void* reserved;
  uint32_t load_options_size;
  void* load_options;
  void* image_base;
  uint64_t image_size;
  MemoryType image_code_type;
  MemoryType image_data_type;
  void* unload;
};

// §13.9 Block I/O protocol.
struct BlockIoMedia {
  uint32_t media_id;
  bool removable_media;
  bool media_present;
  bool logical_partition; // true for a partition's handle, false for the whole disk
  bool read_only;
  bool write_caching;
  uint32_t block_size;
  uint32_t io_align;
  uint64_t last_block;
};

struct BlockIo {
  uint64_t revision;
  BlockIoMedia* media;
  void* reset;
  Status (*read_blocks)(BlockIo* self, uint32_t media_id, uint64_t lba, uint64_t buffer_size,
                        void* buffer);
};

// §10.2 device path nodes: a chain of {type, subtype, length} headers ending in type 0x7F.
struct DevicePathNode {
  uint8_t type;
  uint8_t subtype;
  uint8_t length[2];
};
constexpr uint8_t kDevicePathEndType = 0x7F;
constexpr uint8_t kDevicePathEndEntire = 0xFF;
constexpr uint8_t kDevicePathMediaType = 0x04;
constexpr uint8_t kDevicePathHardDrive = 0x01;

// Protocol and configuration-table GUIDs (§9.1, §10.2, §13.9, §4.6).
constexpr Guid kLoadedImageGuid = {
    0x5B1B31A1, 0x9562, 0x11D2, {0x8E, 0x3F, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B}};
constexpr Guid kDevicePathGuid = {
    0x09576E91, 0x6D3F, 0x11D2, {0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B}};
constexpr Guid kBlockIoGuid = {
    0x964E5B21, 0x6459, 0x11D2, {0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B}};
constexpr Guid kAcpi20TableGuid = {
    0x8868E871, 0xE4F1, 0x11D3, {0xBC, 0x22, 0x00, 0x80, 0xC7, 0x3C, 0x88, 0x81}};
constexpr Guid kAcpi10TableGuid = {
    0xEB9D2D30, 0x2D88, 0x11D3, {0x9A, 0x16, 0x00, 0x90, 0x27, 0x3F, 0xC1, 0x4D}};

} // namespace efi
