#pragma once
// Output the commands write (stdout, -o files): a write that fails (a full disk, a closed
// stdout) ends the command with an error rather than an exit status of 0 and lost text.
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

namespace rbee::host {

// Flushes std::cout and stdout; throws "cannot write the output: REASON" when any write to
// them failed so far (called right after writing, REASON is that write's).
void flush_stdout();
// Writes `bytes` to `path` (created or truncated); throws "cannot write PATH: REASON".
void write_file(const std::filesystem::path& path, std::string_view bytes);
// Throws when `output` (given by `option`) is one of `inputs`, the same file under any name;
// an input folder stands for the files in it (a Hugging Face model folder).
void refuse_overwriting_input(const std::filesystem::path& output, const std::string& option,
                              std::initializer_list<std::filesystem::path> inputs);

}  // namespace rbee::host
