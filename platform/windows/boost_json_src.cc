// Boost.JSON's implementation, compiled once for the Windows build, where Boost is used
// header-only (no prebuilt libboost_json for mingw-w64). Linux links Debian's libboost_json.
#include <boost/json/src.hpp>
