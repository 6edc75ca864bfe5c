# Packages, from the install components: runtime (rbee, its plugin scanner and plugins, man page,
# completion, README) and dev (the plugin SDK).
#   cpack -G DEB: rbee_<version>_<arch>.deb and rbee-dev_<version>_<arch>.deb, for /usr;
#   cpack -G TGZ: rbee-<version>-Linux.tar.gz, both components, relocatable (the programs find
#   their plugins and scanner relative to themselves; nothing links a library of its own).
set(CPACK_PACKAGE_NAME rbee)
set(CPACK_PACKAGE_VENDOR "rbee")
set(CPACK_PACKAGE_CONTACT "rbee maintainers <rbee@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "run large language models on any GPU through Vulkan")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_STRIP_FILES ON)  # the RelWithDebInfo programs are ten times their stripped size
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_THREADS 0)

# .deb (under /usr, the DEB generator's prefix): one package per component; runtime dependencies from the programs' own links
# (dpkg-shlibdeps: the Vulkan loader, Boost, spdlog, fmt, PCRE2, libstdc++ ...).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME rbee)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "mesa-vulkan-drivers")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME rbee-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "rbee (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "cmake, pkg-config, gcc")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "rbee loads a model from a GGUF file or a Hugging Face folder, finds the plugin of its
family and runs it with its own Vulkan compute kernels, on a GPU or on the CPU through Mesa's lavapipe.")
set(CPACK_COMPONENT_DEV_DESCRIPTION "rbee plugin SDK: C headers, CMake package (find_package(RbeeSDK)), pkg-config file and an example plugin")

# .tar.gz: everything in one relocatable tree.
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)

include(CPack)
