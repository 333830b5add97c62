// Unit tests of the fast JSON reader, checked against nlohmann::json on valid and invalid input.
#include "json_lite.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dmtool::json_lite {
namespace {

bool nlohmannAccepts(std::string_view s) {
  return !nlohmann::json::parse(s.begin(), s.end(), nullptr, false).is_discarded();
}

TEST(JsonLite, AgreesWithNlohmannOnAcceptance) {
  const char* cases[] = {
      "{}",
      "[]",
      "null",
      "true",
      "false",
      "0",
      "-0",
      "12",
      "-12",
      "1.5",
      "1e5",
      "1E+5",
      "-1.25e-3",
      "\"\"",
      "\"a\\u00e9\\n\\t\\\\\\/\\\"\"",
      "\"\\ud83d\\ude00\"",
      "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}",
      " { } ",
      "\"caf\xc3\xa9\"",
      "\"\xf0\x9f\x98\x80\"",
      // invalid
      "",
      " ",
      "{",
      "}",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "{a:1}",
      "01",
      "-",
      "1.",
      ".5",
      "1e",
      "+1",
      "tru",
      "nul",
      "\"abc",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"\\ud800\\u0041\"",
      "\"\x01\"",
      "\"\xc3\"",
      "\"\xc0\xaf\"",
      "\"\xed\xa0\x80\"",
      "\"\xf5\x80\x80\x80\"",
      "\"\xff\"",
      "[1 2]",
      "{} {}",
      "[\"a\",]",
      "NaN",
      "Infinity",
      "{\"a\":1}x",
      "\"\\u00\"",
      "8e88898",
      "-1e999",
      "1e-99999",
  };
  Document doc;
  for (const char* c : cases) EXPECT_EQ(doc.parse(c), nlohmannAccepts(c)) << "input: " << c;
}

TEST(JsonLite, ValuesAndLookups) {
  Document doc;
  ASSERT_TRUE(doc.parse(R"({"t":"stack","id":17,"big":18446744073709551615,"neg":-9223372036854775808,
                          "huge":123456789012345678901234,"f":[{"pc":"0x1","s":"a\"b"},null,true]})"));
  const Value& root = doc.root();
  EXPECT_EQ(doc.find(root, "t")->string, "stack");
  EXPECT_EQ(doc.find(root, "id")->integer, 17);
  EXPECT_TRUE(doc.find(root, "big")->isUnsigned);
  EXPECT_EQ(doc.find(root, "neg")->integer, INT64_MIN);
  EXPECT_TRUE(doc.find(root, "huge")->integerTooLarge);
  EXPECT_EQ(doc.find(root, "missing"), nullptr);
  const Value* f = doc.find(root, "f");
  ASSERT_EQ(f->count, 3u);
  const Value& frame = *doc.begin(*f);
  EXPECT_EQ(doc.find(frame, "s")->string, "a\"b");
  EXPECT_EQ(doc.begin(*f)[2].boolean, true);
}

TEST(JsonLite, NestingIsLimited) {
  Document doc;
  std::string ok(Document::kMaxDepth, '['), deep(Document::kMaxDepth + 1, '[');
  ok += std::string(Document::kMaxDepth, ']');
  deep += std::string(Document::kMaxDepth + 1, ']');
  EXPECT_TRUE(doc.parse(ok));
  EXPECT_FALSE(doc.parse(deep));
  EXPECT_FALSE(doc.parse(std::string(1000000, '[')));
}

}  // namespace
}  // namespace dmtool::json_lite
