// Passwords of PostgreSQL connection strings never reach a log line or an error message (issue 16).
#include <gtest/gtest.h>

#include "core/util/redact.hpp"

namespace cati::core {
namespace {

TEST(RedactPasswords, MasksTheUserPasswordOfAUrlAndKeepsEverythingElse) {
  EXPECT_EQ(redact_passwords("postgresql://cati:s3cr%40t@10.0.0.1:5432,10.0.0.2:5432/cati?target_session_attrs=read-write"),
            "postgresql://cati:***@10.0.0.1:5432,10.0.0.2:5432/cati?target_session_attrs=read-write");
  EXPECT_EQ(redact_passwords("serving postgres://u:p@ss@h/db as owner"), "serving postgres://u:***@h/db as owner");
  EXPECT_EQ(redact_passwords("postgresql://cati@h/db"), "postgresql://cati@h/db") << "no password, nothing masked";
}

TEST(RedactPasswords, MasksPasswordParametersOfAQueryAndOfAKeyValueString) {
  EXPECT_EQ(redact_passwords("postgresql:///cati?host=/tmp/a&password=hunter2&user=cati"),
            "postgresql:///cati?host=/tmp/a&password=***&user=cati");
  EXPECT_EQ(redact_passwords("host=db1 password = 'two words' dbname=cati"), "host=db1 password = *** dbname=cati");
  EXPECT_EQ(redact_passwords("host=db1 password=plain dbname=cati"), "host=db1 password=*** dbname=cati");
}

TEST(RedactPasswords, LeavesTextWithoutAPasswordAlone) {
  for (const char* text : {"var/fieldwork.db", "set a new password for anna", "user_password=x", ""})
    EXPECT_EQ(redact_passwords(text), text);
}

}  // namespace
}  // namespace cati::core
