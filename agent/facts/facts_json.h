// JSON form of the facts document (schema "bulwark.facts/1"), built with Boost.JSON.
// Optional members serialize as JSON null, never omitted, so a policy can tell "unknown"
// from "absent". Pure functions; no I/O.
#ifndef BULWARK_AGENT_FACTS_FACTS_JSON_H_
#define BULWARK_AGENT_FACTS_FACTS_JSON_H_

#include <boost/json/value.hpp>
#include <string>

#include "agent/facts/facts.h"

namespace bulwark {

boost::json::value FactsToJson(const FactsDocument& facts);
boost::json::value VolumeToJson(const VolumeFacts& volume);

// Compact serialization, no trailing newline.
std::string SerializeFacts(const FactsDocument& facts);

}  // namespace bulwark

#endif  // BULWARK_AGENT_FACTS_FACTS_JSON_H_
