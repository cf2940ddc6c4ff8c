# Compiler settings for this project's own targets. Nothing here is global: each
# target opts in with unikernel_project_warnings(<target>), so consumers of the
# installed package never inherit our flags.
# -Wnull-dereference is deliberately absent: GCC 12 reports false positives inside
# LLVM 14's Error.h (ErrorList::join) in any file that instantiates it.
include_guard(GLOBAL)

function(unikernel_project_warnings target)
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
      -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
      -Wimplicit-fallthrough>
    $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:-Wall -Wextra -Wpedantic>)
  if(UNIKERNEL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# UNIKERNEL_SANITIZE: comma-separated -fsanitize= list for this project's host targets
# (the asan preset sets "address,undefined"). Applied per target, like the warnings.
set(UNIKERNEL_SANITIZE "" CACHE STRING "Sanitizers for the project's host targets, e.g. address,undefined")

function(unikernel_project_sanitizers target)
  if(UNIKERNEL_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${UNIKERNEL_SANITIZE} -fno-omit-frame-pointer
      -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${UNIKERNEL_SANITIZE})
  endif()
endfunction()

# One call for every host target of ours: warnings + sanitizers.
function(unikernel_host_target target)
  unikernel_project_warnings(${target})
  unikernel_project_sanitizers(${target})
endfunction()
