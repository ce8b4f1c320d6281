// `rio inventory`: the hosts an inventory resolves to (address, port, user, groups), after
// --limit, without connecting anywhere: what `ansible-inventory --list` and `ansible --list-hosts`
// show Ansible users, and the way to check an inventory before `rio plan -i`.
#include <rio/kernel/cli_command.hpp>

#include "cli_options.hpp"
#include "text_table.hpp"
#include <rio/kernel/inventory.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <ostream>

namespace rio::kernel {
namespace json = boost::json;
namespace {

json::value host_json(const inventory::host_entry& h) {
  json::array groups;
  for (const auto& g : h.groups) groups.emplace_back(g);
  return {{"name", h.name},
          {"address", h.where.host},
          {"port", h.where.port},
          {"user", h.user_set ? json::value(h.where.user) : json::value(nullptr)},
          {"identity", h.identity.empty() ? json::value(nullptr) : json::value(h.identity)},
          {"groups", std::move(groups)},
          {"line", h.line}};
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

void print_table(const cli_io& io, const inventory::inventory& inv) {
  cli_detail::text_table t{0, 40};
  t.row({"HOST", "ADDRESS", "PORT", "USER", "GROUPS"});
  for (const auto& h : inv.hosts) {
    t.row({h.name, h.where.host, std::to_string(h.where.port), h.user_set ? h.where.user : "-", joined(h.groups)});
  }
  io.out << t.render(output_width(io));
  io.out << inv.hosts.size() << (inv.hosts.size() == 1 ? " host\n" : " hosts\n");
}

}  // namespace

int cli_inventory(const cli_args& args, const cli_io& io) {
  auto p = cli_detail::parse_options(find_command("inventory")->options, args.rest);
  if (!p) return usage_error(io, "inventory", p.error().message);
  const std::string file = p->value("--inventory");
  if (file.empty()) return usage_error(io, "inventory", "name the inventory with -i FILE");
  auto inv = inventory::load_inventory(file);
  if (!inv) {
    io.err << "rio: inventory: " << inv.error().message << "\n";
    return exit_usage;
  }
  if (const std::string limit = p->value("--limit"); !limit.empty()) {
    auto selected = inventory::select_hosts(*inv, limit);
    if (!selected) return usage_error(io, "inventory", "--limit: " + selected.error().message);
    inv = std::move(*selected);
  }
  if (p->has("--json")) {
    json::array hosts;
    for (const auto& h : inv->hosts) hosts.push_back(host_json(h));
    io.out << json::serialize(json::object{{"hosts", std::move(hosts)}}) << "\n";
    return exit_ok;
  }
  print_table(io, *inv);
  return exit_ok;
}

}  // namespace rio::kernel
