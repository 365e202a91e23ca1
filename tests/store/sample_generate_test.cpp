// The synthetic frame generator: deterministic by seed, realistic mixes, valid for the seed study, and
// the committed demo frame is exactly what it makes.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/sample/sample_generate.hpp"
#include "schema/loader.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

const fs::path seed_study = fs::path(CATI_SOURCE_DIR) / "schema/ai_barometer_2025";
// The committed demo frame: `cati sample generate --study schema/ai_barometer_2025 --count 4000
// --seed 2025 --out schema/ai_barometer_2025/frame.csv`.
constexpr int demo_count = 4000;
constexpr std::uint64_t demo_seed = 2025;

core::generate_options options(int count, std::uint64_t seed) {
  core::generate_options o;
  o.count = count;
  o.seed = seed;
  return o;
}

double share(int part, std::size_t whole) { return 100.0 * part / static_cast<double>(whole); }

TEST(SampleGenerate, SameSeedSameFrameOtherSeedOtherFrame) {
  auto study = frame_study();
  auto a = core::generate_sample_csv(study, options(300, 7));
  auto b = core::generate_sample_csv(study, options(300, 7));
  auto c = core::generate_sample_csv(study, options(300, 8));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  // The first firms do not depend on how many follow.
  auto shorter = core::generate_sample_csv(study, options(100, 7));
  EXPECT_EQ(a->substr(0, shorter->size()), *shorter);
}

TEST(SampleGenerate, MixesAreRealistic) {
  auto firms = core::generate_firms(options(demo_count, demo_seed));
  ASSERT_EQ(firms.size(), std::size_t{demo_count});
  std::map<std::string, int> region, sector;
  int large = 0, two_numbers = 0, brussels = 0, brussels_fr = 0, no_contact = 0, max_fte = 0;
  std::set<std::string> numbers, ids;
  for (const auto& f : firms) {
    ++region[f.region];
    ++sector[f.sector];
    large += f.fte > 20;
    max_fte = std::max(max_fte, f.fte);
    EXPECT_GE(f.fte, 1);
    two_numbers += f.phones.size() == 2;
    no_contact += f.contact_name.empty();
    if (f.region != "BRU") {
      EXPECT_EQ(f.language, f.region == "VLA" ? "nl" : "fr") << f.firm_id;
    }
    if (f.region == "BRU") {
      ++brussels;
      brussels_fr += f.language == "fr";
    }
    for (const auto& n : f.phones) {
      EXPECT_TRUE(core::is_belgian_e164(n)) << n;
      EXPECT_TRUE(numbers.insert(n).second) << "number used twice: " << n;
      // Area codes fit the region (mobiles fit anywhere).
      bool mobile = n.starts_with("+3247");
      bool brussels_zone = n.starts_with("+322");
      bool zone_of_the_other_region = f.region == "WAL" ? n.starts_with("+323") || n.starts_with("+329")
                                                        : n.starts_with("+324");
      if (!mobile) {
        EXPECT_EQ(brussels_zone, f.region == "BRU") << n;
        EXPECT_FALSE(zone_of_the_other_region) << n;
      }
    }
    EXPECT_TRUE(ids.insert(f.firm_id).second);
    EXPECT_TRUE(f.company.ends_with(" BV") || f.company.ends_with(" NV") || f.company.ends_with(" CommV") ||
                f.company.ends_with(" SRL") || f.company.ends_with(" SA") || f.company.ends_with(" SComm"))
        << f.company;
  }
  EXPECT_NEAR(share(region["VLA"], firms.size()), 58, 3);
  EXPECT_NEAR(share(region["WAL"], firms.size()), 31, 3);
  EXPECT_NEAR(share(region["BRU"], firms.size()), 11, 2);
  EXPECT_NEAR(share(sector["services"], firms.size()), 45, 3);
  EXPECT_NEAR(share(sector["commerce"], firms.size()), 28, 3);
  EXPECT_NEAR(share(sector["industry"], firms.size()), 27, 3);
  EXPECT_NEAR(share(large, firms.size()), 8, 2);
  EXPECT_LE(max_fte, 150);
  EXPECT_GT(max_fte, 60);
  EXPECT_NEAR(share(two_numbers, firms.size()), 15, 3);
  EXPECT_NEAR(share(brussels_fr, static_cast<std::size_t>(brussels)), 70, 8);
  EXPECT_NEAR(share(no_contact, firms.size()), 10, 3);
  EXPECT_EQ(firms.front().firm_id, "F000001");
}

TEST(SampleGenerate, IdPrefixAndFirstNumberContinueAFrame) {
  auto o = options(3, 1);
  o.id_prefix = "X";
  o.first_number = 4001;
  auto firms = core::generate_firms(o);
  EXPECT_EQ(firms.back().firm_id, "X004003");
}

TEST(SampleGenerate, StudyWithoutTheVariablesItFillsIsRefused) {
  auto study = frame_study();
  study.frame.push_back({"turnover", core::variable_type::integer, false, false, {}, {}});
  auto csv = core::generate_sample_csv(study, options(1, 1));
  ASSERT_FALSE(csv);
  EXPECT_EQ(csv.err().message, "the generator cannot fill frame variable 'turnover'");
  study.frame.back().optional = true;  // optional ones are left empty
  EXPECT_TRUE(core::generate_sample_csv(study, options(1, 1)));
}

TEST(SampleGenerate, GeneratedFrameImportsIntoTheSeedStudy) {
  auto study = schema::load_study_or_throw(seed_study);
  auto csv = core::generate_sample_csv(*study, options(500, 3));
  ASSERT_TRUE(csv) << csv.err().message;
  auto frame = core::parse_sample_frame(*csv, *study);
  ASSERT_TRUE(frame.ok()) << frame.problems.front().to_string("generated");
  EXPECT_EQ(frame.cases.size(), 500u);
}

TEST(SampleGenerate, CommittedDemoFrameIsTheGeneratorsOutput) {
  std::ifstream in(seed_study / "frame.csv", std::ios::binary);
  ASSERT_TRUE(in) << "schema/ai_barometer_2025/frame.csv is missing";
  std::stringstream committed;
  committed << in.rdbuf();
  auto study = schema::load_study_or_throw(seed_study);
  auto csv = core::generate_sample_csv(*study, options(demo_count, demo_seed));
  ASSERT_TRUE(csv);
  EXPECT_TRUE(committed.str() == *csv) << "regenerate it with: cati sample generate --study "
                                          "schema/ai_barometer_2025 --count 4000 --seed 2025 --out "
                                          "schema/ai_barometer_2025/frame.csv";
}

}  // namespace
}  // namespace cati::test
