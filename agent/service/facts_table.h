// Human-readable rendering of a facts document for `bulwark-agent facts` without --json.
// Pure function; no I/O.
#ifndef BULWARK_AGENT_SERVICE_FACTS_TABLE_H_
#define BULWARK_AGENT_SERVICE_FACTS_TABLE_H_

#include <string>

#include "agent/facts/facts.h"

namespace bulwark {

std::string RenderFactsTable(const FactsDocument& facts);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_FACTS_TABLE_H_
