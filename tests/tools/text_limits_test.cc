#include "tools/text_limits.h"

#include <gtest/gtest.h>

namespace endstate::tools {
namespace {

TEST(CapWithMarker, KeepsShortText) {
  EXPECT_EQ("hello", CapWithMarker("hello", 5));
  EXPECT_EQ("hello", CapWithMarker("hello", 0));
}

TEST(CapWithMarker, CutsWithMarkerWithinLimit) {
  std::string text(100, 'x');
  std::string capped = CapWithMarker(text, 40);
  // 40 bytes in all: 15 kept + "\n[... truncated 85 bytes]" (25 bytes).
  EXPECT_EQ(std::string(15, 'x') + "\n[... truncated 85 bytes]", capped);
  EXPECT_LE(capped.size(), 40u);
  // The whole may be larger than the text given.
  EXPECT_EQ(std::string(15, 'x') + "\n[... truncated 985 bytes]",
            CapWithMarker(std::string(40, 'x'), 41, 1000));
}

TEST(CapWithMarker, CutsOnUtf8Boundary) {
  // "é" is 2 bytes; a cut in its middle keeps it out entirely.
  std::string text = std::string(16, 'a') + "\xC3\xA9" + std::string(50, 'b');
  EXPECT_EQ(std::string(16, 'a') + "\n[... truncated 52 bytes]",
            CapWithMarker(text, 42));
}

TEST(SanitizeUtf8, ReplacesInvalidBytes) {
  EXPECT_EQ("ok \xC3\xA9", SanitizeUtf8("ok \xC3\xA9"));
  EXPECT_EQ(
      "a\xEF\xBF\xBD"
      "b",
      SanitizeUtf8("a\xFF"
                   "b"));
  EXPECT_EQ("\xEF\xBF\xBD", SanitizeUtf8("\xC3"));
}

TEST(LooksBinary, DetectsNulAndInvalidUtf8) {
  EXPECT_FALSE(LooksBinary("plain text\n", false));
  EXPECT_TRUE(LooksBinary(std::string("a\0b", 3), false));
  EXPECT_TRUE(LooksBinary("\x89PNG\r\n", false));
  EXPECT_FALSE(LooksBinary("cut \xE2\x82", true));
  EXPECT_TRUE(LooksBinary("cut \xE2\x82", false));
}

}  // namespace
}  // namespace endstate::tools
