// The process entry of bulwark-agent.exe: `run` started by the Service Control Manager runs as
// the service (default name "BulwarkAgent"); everything else, and `run` from a console, goes
// straight to RunAgentCli.
//
// As a service (StartServiceCtrlDispatcherW; ERROR_FAILED_SERVICE_CONTROLLER_CONNECT means "not
// started by the SCM" and the console path is taken):
//  * the control handler (RegisterServiceCtrlHandlerExW, under the name the SCM passes)
//    turns STOP, SHUTDOWN and PRESHUTDOWN into ServiceControl::RequestStop, PARAMCHANGE into
//    RequestReload, and answers INTERROGATE;
//  * the notifier reports SERVICE_START_PENDING at once, SERVICE_RUNNING on Ready(),
//    SERVICE_STOP_PENDING with a new checkpoint and a wait hint on Stopping(), and finally
//    SERVICE_STOPPED with the exit code (0 -> NO_ERROR, else ERROR_SERVICE_SPECIFIC_ERROR with
//    dwServiceSpecificExitCode = the code);
//  * at start the service sets its own recovery actions (ChangeServiceConfig2W: restart after
//    60 s, 60 s, 5 min, failure count reset after one day; failure actions also on a non-zero
//    exit); idempotent, and a failure is only logged;
//  * logs go to %ProgramData%\Bulwark\logs\agent.log (rotating, 5 x 5 MB; the folder gets the
//    private SYSTEM + Administrators DACL), and the command's output lines are logged too.
// From a console, logs go to stderr and documents to stdout, as on Linux.
#ifndef BULWARK_PLATFORM_WINDOWS_AGENT_SERVICE_MAIN_H_
#define BULWARK_PLATFORM_WINDOWS_AGENT_SERVICE_MAIN_H_

#include <string>
#include <vector>

namespace bulwark {

// The service name the installer registers.
inline constexpr char kWindowsServiceName[] = "BulwarkAgent";

// Runs one invocation of bulwark-agent.exe; `args` (UTF-8) excludes the program name.
// Returns the process exit code. REQUIRES: called once, from main, before any other thread.
int RunWindowsAgent(const std::vector<std::string>& args);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_AGENT_SERVICE_MAIN_H_
