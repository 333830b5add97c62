// textkit_test.cpp: the example GoogleTest suite. Five tests are clean; three trigger the
// library's bugs (a leak, an overflow, a double free). All pass under plain glibc; under
// debugmalloc (linked with debugmalloc::gtest) exactly those three fail, each with its stacks.
#include "textkit.h"

#include <gtest/gtest.h>

#include <stdlib.h>

namespace {

TEST(TextKit, SplitFindsEachWord) {
  textkit::Words words = textkit::split("red,,green,blue", ',');
  ASSERT_EQ(words.count, 3u);
  EXPECT_STREQ(words.items[0], "red");
  EXPECT_STREQ(words.items[2], "blue");
  textkit::free_words(words);
}

TEST(TextKit, CountDistinctCountsRepeatedWordsOnce) {
  EXPECT_EQ(textkit::count_distinct("to be or not to be", ' '), 4u);
}

TEST(TextKit, CountDistinctOfASingleWord) {
  EXPECT_EQ(textkit::count_distinct("hello", ' '), 1u);  // leaks: see count_distinct()
}

TEST(TextKit, JoinPathKeepsAnExistingSlash) {
  char* path = textkit::join_path("/tmp/", "notes.txt");
  EXPECT_STREQ(path, "/tmp/notes.txt");
  free(path);
}

TEST(TextKit, JoinPathAddsASlash) {
  char* path = textkit::join_path("/tmp", "notes.txt");  // overflows: see join_path()
  EXPECT_STREQ(path, "/tmp/notes.txt");
  free(path);
}

TEST(TextKit, ParsePairSplitsKeyAndValue) {
  char* key = nullptr;
  char* value = nullptr;
  ASSERT_TRUE(textkit::parse_pair("colour=blue", &key, &value));
  EXPECT_STREQ(key, "colour");
  EXPECT_STREQ(value, "blue");
  free(key);
  free(value);
}

TEST(TextKit, ParsePairWithoutEquals) {
  char* key = nullptr;
  char* value = nullptr;
  EXPECT_FALSE(textkit::parse_pair("novalue", &key, &value));
  free(key);  // the second free of *key: see parse_pair()
  free(value);
}

TEST(TextKit, ToUpperChangesLettersOnly) {
  EXPECT_EQ(textkit::to_upper("abc-123 xyz"), "ABC-123 XYZ");
}

}  // namespace
