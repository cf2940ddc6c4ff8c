# find_package(Unikernel) for an install prefix or a nanos-unikernel build tree (both put
# this file in <root>/lib/cmake/Unikernel; tools in <root>/bin, kernel and boot image in
# <root>/share/nanos-unikernel). Defines Unikernel::mkimage and Unikernel::run (imported
# executables), UNIKERNEL_DATA_DIR, and add_unikernel()/add_unikernel_test().
if(CMAKE_VERSION VERSION_LESS 3.20)
  set(Unikernel_FOUND FALSE)
  set(Unikernel_NOT_FOUND_MESSAGE "needs CMake >= 3.20")
  return()
endif()
get_filename_component(_unikernel_root "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

set(UNIKERNEL_DATA_DIR "${_unikernel_root}/share/nanos-unikernel")
foreach(_unikernel_tool mkimage run)
  if(NOT TARGET Unikernel::${_unikernel_tool})
    set(_unikernel_exe "${_unikernel_root}/bin/nanos-${_unikernel_tool}")
    if(NOT EXISTS "${_unikernel_exe}")
      set(Unikernel_FOUND FALSE)
      set(Unikernel_NOT_FOUND_MESSAGE "${_unikernel_exe} not found (build or install nanos-unikernel first)")
      return()
    endif()
    add_executable(Unikernel::${_unikernel_tool} IMPORTED)
    set_target_properties(Unikernel::${_unikernel_tool} PROPERTIES IMPORTED_LOCATION "${_unikernel_exe}")
  endif()
endforeach()
set_target_properties(Unikernel::mkimage PROPERTIES
  UNIKERNEL_DEFAULT_KERNEL "${UNIKERNEL_DATA_DIR}/kernel.img")
foreach(_unikernel_file kernel.img boot.img)
  if(NOT EXISTS "${UNIKERNEL_DATA_DIR}/${_unikernel_file}")
    message(WARNING "Unikernel: ${UNIKERNEL_DATA_DIR}/${_unikernel_file} is missing; "
      "images need KERNEL/BOOT arguments")
  endif()
endforeach()
include("${CMAKE_CURRENT_LIST_DIR}/AddUnikernel.cmake")
unset(_unikernel_root)
unset(_unikernel_exe)
unset(_unikernel_tool)
unset(_unikernel_file)
