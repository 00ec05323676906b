#include "agent/probes/posture/firewall_rules.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <set>
#include <tuple>

#include "agent/base/strings.h"

namespace bulwark {
namespace json = boost::json;
namespace {

constexpr int kMaxChainDepth = 16;

using ChainKey = std::tuple<std::string, std::string, std::string>;  // family, table, name

struct Chain {
  std::string hook;
  std::string type;
  std::string policy;
  bool base = false;
  std::vector<const json::array*> rules;
};

std::string StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

// The verdict of a rule when it is unconditional (only counter/log statements before its
// verdict): "accept", "drop", "return", "jump:<chain>" or "goto:<chain>"; "" otherwise.
std::string UnconditionalVerdict(const json::array& expr) {
  if (expr.empty()) return {};
  for (std::size_t i = 0; i + 1 < expr.size(); ++i) {
    const json::object* stmt = expr[i].if_object();
    if (stmt == nullptr || stmt->size() != 1) return {};
    const std::string_view key = stmt->begin()->key();
    if (key != "counter" && key != "log") return {};
  }
  const json::object* last = expr.back().if_object();
  if (last == nullptr || last->size() != 1) return {};
  const std::string_view key = last->begin()->key();
  if (key == "accept") return "accept";
  if (key == "drop" || key == "reject") return "drop";
  if (key == "return") return "return";
  if (key == "jump" || key == "goto") {
    const json::object* target = last->begin()->value().if_object();
    if (target == nullptr) return {};
    std::string name = StringMember(*target, "target");
    if (name.empty()) return {};
    return std::string(key) + ":" + name;
  }
  return {};
}

class ChainEvaluator {
 public:
  explicit ChainEvaluator(const std::map<ChainKey, Chain>& chains) : chains_(chains) {}

  // The terminal verdict ("accept"/"drop") a packet reaching `key` gets from it, or "" when
  // it falls through (or returns) without one.
  std::string Evaluate(const ChainKey& key, int depth = 0) {
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    if (depth > kMaxChainDepth || on_stack_.count(key) > 0) return {};
    auto chain = chains_.find(key);
    if (chain == chains_.end()) return {};
    on_stack_.insert(key);
    std::string result;
    for (const json::array* expr : chain->second.rules) {
      const std::string verdict = UnconditionalVerdict(*expr);
      if (verdict.empty()) continue;
      if (verdict == "accept" || verdict == "drop") {
        result = verdict;
        break;
      }
      if (verdict == "return") break;
      const bool is_goto = StartsWith(verdict, "goto:");
      ChainKey target{std::get<0>(key), std::get<1>(key), verdict.substr(verdict.find(':') + 1)};
      std::string inner = Evaluate(target, depth + 1);
      if (!inner.empty() || is_goto) {
        result = inner;
        break;
      }
    }
    on_stack_.erase(key);
    memo_[key] = result;
    return result;
  }

 private:
  const std::map<ChainKey, Chain>& chains_;
  std::map<ChainKey, std::string> memo_;
  std::set<ChainKey> on_stack_;
};

// Splits a shell-like line on whitespace, honouring double quotes.
std::vector<std::string> SplitArgs(std::string_view line) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false, have = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      quoted = !quoted;
      have = true;
    } else if (c == '\\' && quoted && i + 1 < line.size()) {
      current.push_back(line[++i]);
    } else if (!quoted && (c == ' ' || c == '\t')) {
      if (have) out.push_back(std::move(current));
      current.clear();
      have = false;
    } else {
      current.push_back(c);
      have = true;
    }
  }
  if (have) out.push_back(std::move(current));
  return out;
}

}  // namespace

std::optional<std::string> InboundVerdict(std::string_view policy) {
  const std::string p = AsciiLower(TrimWhitespace(policy));
  if (p == "drop" || p == "reject") return "drop";
  if (p == "accept") return "accept";
  return std::nullopt;
}

bool NftRulesetAnalysis::filtering() const {
  for (const auto& c : input_chains) {
    if (c.rules > 0 || c.policy == "drop") return true;
  }
  return false;
}

std::string NftRulesetAnalysis::default_inbound() const {
  return ipv4_drop && ipv6_drop ? "drop" : "accept";
}

Result<NftRulesetAnalysis> AnalyzeNftRuleset(std::string_view text) {
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec, {}, options);
  if (ec) return InvalidArgumentError("nft JSON ruleset: " + ec.message());
  const json::object* root = doc.if_object();
  const json::value* list_value = root != nullptr ? root->if_contains("nftables") : nullptr;
  const json::array* list = list_value != nullptr ? list_value->if_array() : nullptr;
  if (list == nullptr) return InvalidArgumentError("nft JSON ruleset: no \"nftables\" array");

  NftRulesetAnalysis out;
  std::map<ChainKey, Chain> chains;
  for (const json::value& item : *list) {
    const json::object* o = item.if_object();
    if (o == nullptr) continue;
    if (const json::value* t = o->if_contains("table"); t != nullptr && t->is_object()) {
      out.tables.push_back(StringMember(t->get_object(), "family") + " " +
                           StringMember(t->get_object(), "name"));
    } else if (const json::value* c = o->if_contains("chain"); c != nullptr && c->is_object()) {
      const json::object& co = c->get_object();
      Chain& chain =
          chains[{StringMember(co, "family"), StringMember(co, "table"), StringMember(co, "name")}];
      chain.hook = StringMember(co, "hook");
      chain.type = StringMember(co, "type");
      chain.policy = StringMember(co, "policy");
      chain.base = !chain.hook.empty();
    } else if (const json::value* r = o->if_contains("rule"); r != nullptr && r->is_object()) {
      const json::object& ro = r->get_object();
      const json::value* expr = ro.if_contains("expr");
      if (expr == nullptr || !expr->is_array()) continue;
      chains[{StringMember(ro, "family"), StringMember(ro, "table"), StringMember(ro, "chain")}]
          .rules.push_back(&expr->get_array());
    }
  }

  ChainEvaluator evaluator(chains);
  for (const auto& [key, chain] : chains) {
    const auto& [family, table, name] = key;
    if (!chain.base || chain.hook != "input") continue;
    if (family != "inet" && family != "ip" && family != "ip6") continue;
    NftInputChain summary{
        family, table, name, chain.policy.empty() ? "accept" : chain.policy, chain.rules.size(),
        {}};
    std::string verdict = evaluator.Evaluate(key);
    if (verdict.empty()) verdict = InboundVerdict(summary.policy).value_or("accept");
    summary.fallthrough = verdict;
    if (verdict == "drop") {
      if (family != "ip6") out.ipv4_drop = true;
      if (family != "ip") out.ipv6_drop = true;
    }
    out.input_chains.push_back(std::move(summary));
  }
  return out;
}

std::optional<std::string> IptablesChainSummary::fallthrough() const {
  if (first_unconditional) return first_unconditional;
  return policy;
}

IptablesChainSummary ParseIptablesChain(std::string_view text, std::string_view chain) {
  IptablesChainSummary out;
  std::string table;  // iptables-save sections; empty for `iptables -S` output
  for (std::string_view line : SplitLines(text)) {
    line = TrimWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '*') {
      table = std::string(line.substr(1));
      continue;
    }
    if (!table.empty() && table != "filter") continue;
    auto args = SplitArgs(line);
    if (!args.empty() && StartsWith(args[0], "[")) args.erase(args.begin());  // -c counters
    if (args.empty()) continue;
    if (StartsWith(args[0], ":") && args[0].substr(1) == chain && args.size() >= 2) {
      out.found = true;
      out.policy = InboundVerdict(args[1]);
    } else if (args[0] == "-P" && args.size() >= 3 && args[1] == chain) {
      out.found = true;
      out.policy = InboundVerdict(args[2]);
    } else if (args[0] == "-A" && args.size() >= 2 && args[1] == chain) {
      ++out.rules;
      if (out.first_unconditional) continue;
      std::vector<std::string> rest;
      for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "-m" && i + 1 < args.size() && args[i + 1] == "comment") {
          ++i;
        } else if (args[i] == "--comment" && i + 1 < args.size()) {
          ++i;
        } else {
          rest.push_back(args[i]);
        }
      }
      if (rest.size() < 2 || rest[0] != "-j") continue;
      bool only_target_options = true;
      for (std::size_t i = 2; i < rest.size(); i += 2) {
        only_target_options = only_target_options && StartsWith(rest[i], "--");
      }
      if (only_target_options) out.first_unconditional = InboundVerdict(rest[1]);
    }
  }
  return out;
}

std::optional<std::string> ParseFirewalldZoneTarget(std::string_view xml) {
  std::string text;
  // Drop comments so a commented-out <zone> cannot be mistaken for the real one.
  for (std::size_t i = 0; i < xml.size();) {
    if (xml.substr(i, 4) == "<!--") {
      auto end = xml.find("-->", i + 4);
      if (end == std::string_view::npos) break;
      i = end + 3;
      continue;
    }
    text.push_back(xml[i++]);
  }
  for (std::size_t pos = text.find("<zone"); pos != std::string::npos;
       pos = text.find("<zone", pos + 5)) {
    const char after = pos + 5 < text.size() ? text[pos + 5] : '\0';
    if (after != ' ' && after != '>' && after != '/' && after != '\t' && after != '\n' &&
        after != '\r') {
      continue;
    }
    const auto close = text.find('>', pos);
    const std::string_view tag = std::string_view(text).substr(
        pos, close == std::string::npos ? std::string::npos : close - pos);
    for (std::size_t a = tag.find("target"); a != std::string_view::npos;
         a = tag.find("target", a + 6)) {
      if (a > 0 && tag[a - 1] != ' ' && tag[a - 1] != '\t' && tag[a - 1] != '\n') continue;
      std::size_t i = a + 6;
      while (i < tag.size() && (tag[i] == ' ' || tag[i] == '\t')) ++i;
      if (i >= tag.size() || tag[i] != '=') continue;
      ++i;
      while (i < tag.size() && (tag[i] == ' ' || tag[i] == '\t')) ++i;
      if (i >= tag.size() || (tag[i] != '"' && tag[i] != '\'')) continue;
      const char quote = tag[i];
      const auto end = tag.find(quote, i + 1);
      if (end == std::string_view::npos) continue;
      return std::string(tag.substr(i + 1, end - i - 1));
    }
    return std::string("default");
  }
  return std::nullopt;
}

std::optional<std::string> FirewalldTargetVerdict(std::string_view target) {
  const std::string t(TrimWhitespace(target));
  if (t == "ACCEPT") return "accept";
  if (t == "DROP" || t == "REJECT" || t == "%%REJECT%%" || t == "default") return "drop";
  return std::nullopt;
}

}  // namespace bulwark
