#include "store/item_store.hpp"

namespace tenantd::store {

std::string_view table_base_name(Table table) {
  switch (table) {
    case Table::Tenants:
      return "tenants";
    case Table::Instances:
      return "instances";
    case Table::Invitations:
      return "invitations";
    case Table::Control:
      return "control";
  }
  return "control";
}

std::string table_name(Table table, std::string_view environment) {
  std::string name = "bbws-";
  name += table_base_name(table);
  name += '-';
  name += environment;
  return name;
}

Cursor cursor_after(const Item& item, int index) {
  Cursor c{{}, {}, item.pk, item.sk};
  if (index > 0 && item.indexes[static_cast<std::size_t>(index - 1)]) {
    c.index_pk = item.indexes[static_cast<std::size_t>(index - 1)]->pk;
    c.index_sk = item.indexes[static_cast<std::size_t>(index - 1)]->sk;
  }
  return c;
}

}  // namespace tenantd::store
