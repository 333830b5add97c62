// Bounded formatter: numbers format correctly and output never exceeds the buffer.
#include "support/text_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace dm {
namespace {

std::string text(const TextBuffer& b) { return std::string(b.data(), b.size()); }

TEST(TextBuffer, FormatsNumbers) {
  InlineText<128> b;
  b.dec(0).ch(' ').dec(18446744073709551615ull).ch(' ').sdec(-42).ch(' ').sdec(INT64_MIN);
  EXPECT_EQ(text(b), "0 18446744073709551615 -42 -9223372036854775808");
  b.clear();
  b.ptr(0xdeadbeef).ch(' ').hex(0xab, 4).ch(' ').hex(0xabc, 1, true);
  EXPECT_EQ(text(b), "0xdeadbeef 00ab ABC");
}

TEST(TextBuffer, TruncatesWithoutOverflow) {
  char storage[16 + 8];
  memset(storage, 'Z', sizeof storage);
  TextBuffer b(storage, 16);
  b.str("a string much longer than sixteen bytes");
  EXPECT_EQ(b.size(), 16u);
  EXPECT_TRUE(b.truncated());
  for (size_t i = 16; i < sizeof storage; ++i) EXPECT_EQ(storage[i], 'Z');
}

TEST(TextBuffer, PadsToAColumn) {
  InlineText<64> b;
  b.str("ab").pad_to(5).ch('|');
  EXPECT_EQ(text(b), "ab   |");
}

}  // namespace
}  // namespace dm
