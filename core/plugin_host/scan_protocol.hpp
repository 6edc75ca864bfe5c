#pragma once
// What the plugin scanner (rbee-plugin-scan, a child process) tells its parent on its stdout:
// one JSON object a line. Before each call into the plugin {"calling": "<call>"}; at the end
// {"plugin": <PluginInfo JSON>} when the plugin passed, or {"refused": "<reason>"} when it
// declined or failed a check. A crash, a hang or an exit leaves the last "calling" line as the
// place where it happened.
namespace rbee::scan_protocol {

constexpr const char* kCalling = "calling";
constexpr const char* kPlugin = "plugin";
constexpr const char* kRefused = "refused";

// The scanner's exit status for a command line it does not understand.
constexpr int kUsageStatus = 64;

}  // namespace rbee::scan_protocol
