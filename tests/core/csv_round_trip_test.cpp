// CSV written by csv_line() reads back the same: found by fuzzing (fuzz/sample_csv.cpp), where a field
// starting with a UTF-8 byte order mark lost it when written at the start of a file.
#include <gtest/gtest.h>

#include "core/report/csv.hpp"

namespace cati::core {
namespace {

std::vector<std::string> read_back(const std::string& text) {
  csv_reader reader(text);
  auto record = reader.next();
  EXPECT_TRUE(record.has_value());
  EXPECT_EQ(reader.error(), "");
  return record ? record->fields : std::vector<std::string>{};
}

TEST(Csv, FieldStartingWithAByteOrderMarkKeepsItWhenWrittenFirst) {
  // The fuzzer's input: a second header line whose first field starts with a byte order mark.
  const std::string input = "firm_id,company\n\xEF\xBB\xBF" "firm_id,company,p_one,contact_name\n";
  csv_reader reader(input);
  ASSERT_TRUE(reader.next());
  const auto second = reader.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->fields.front(), "\xEF\xBB\xBF" "firm_id") << "a mark inside the file is data";
  EXPECT_EQ(read_back(csv_line(second->fields)), second->fields);
}

TEST(Csv, FileByteOrderMarkIsStillSkipped) {
  EXPECT_EQ(read_back("\xEF\xBB\xBF" "firm_id,company\n"), (std::vector<std::string>{"firm_id", "company"}));
}

}  // namespace
}  // namespace cati::core
