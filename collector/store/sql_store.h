// The Store implementation shared by both backends: every method is one transaction of
// portable SQL on a sql::Database (see database.h). OpenStore (store.h) builds one of these.
#pragma once

#include <memory>

#include "agent/base/status.h"
#include "collector/store/database.h"
#include "collector/store/store.h"

namespace bulwark::collector {

// Wraps `database`, whose schema must already be migrated (sql::Migrate). Takes ownership.
std::unique_ptr<Store> NewSqlStore(std::unique_ptr<sql::Database> database);

// A fresh device id: "dev_" + 26 lowercase base32 characters (130 random bits from
// RAND_bytes). kInternal if the random generator fails.
Result<std::string> NewDeviceId();

// `text` with LIKE's metacharacters (%, _ and the escape character \) escaped by a backslash,
// for use with `LIKE ... ESCAPE '\'`.
std::string EscapeLike(std::string_view text);

}  // namespace bulwark::collector
