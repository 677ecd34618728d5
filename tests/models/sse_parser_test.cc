#include "models/sse_parser.h"

#include <gtest/gtest.h>

namespace endstate::models {
namespace {

std::vector<SseEvent> ParseWhole(const std::string& text) {
  SseParser p;
  std::vector<SseEvent> out;
  p.Feed(text, &out);
  p.Finish(&out);
  return out;
}

std::string Render(const std::vector<SseEvent>& events) {
  std::string s;
  for (const SseEvent& e : events) {
    s += "[" + e.event + "|" + e.data + "|" + e.id + "]";
  }
  return s;
}

// A llama-server-like stream with pings, CRLF, an event line, a multi-line
// data field, an unknown field and a missing final blank line.
const char kStream[] =
    ": ping\r\n"
    "\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    "event: message\n"
    "id: 7\n"
    "data: {\"b\":\n"
    "data:2}\n"
    "retry: 100\n"
    "foo: bar\n"
    "\n"
    ":keep-alive\r\r"
    "data:  two spaces\r"
    "\r"
    "data\n"
    "\n"
    "event: lonely\n"
    "\n"
    "data: [DONE]";

const char kExpected[] =
    "[|{\"a\":1}|][message|{\"b\":\n2}|7][| two spaces|7][||7][|[DONE]|7]";

TEST(SseParserTest, ParsesWholeStream) {
  EXPECT_EQ(kExpected, Render(ParseWhole(kStream)));
}

TEST(SseParserTest, SplitAtEveryBytePositionGivesSameEvents) {
  const std::string text = kStream;
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    SseParser p;
    std::vector<SseEvent> out;
    p.Feed(text.substr(0, cut), &out);
    p.Feed(text.substr(cut), &out);
    p.Finish(&out);
    ASSERT_EQ(kExpected, Render(out)) << "cut at " << cut;
  }
}

TEST(SseParserTest, ByteByByte) {
  const std::string text = kStream;
  SseParser p;
  std::vector<SseEvent> out;
  for (char c : text) p.Feed(std::string_view(&c, 1), &out);
  p.Finish(&out);
  EXPECT_EQ(kExpected, Render(out));
  EXPECT_EQ(2, p.comments());
}

TEST(SseParserTest, EventsComeOutAsSoonAsComplete) {
  SseParser p;
  std::vector<SseEvent> out;
  p.Feed("data: x\n", &out);
  EXPECT_TRUE(out.empty());
  p.Feed("\n", &out);
  ASSERT_EQ(1u, out.size());
  EXPECT_EQ("x", out[0].data);
  // A CR at the end of a read may be followed by LF in the next read.
  p.Feed("data: y\r", &out);
  p.Feed("\n\r", &out);
  ASSERT_EQ(2u, out.size());
  EXPECT_EQ("y", out[1].data);
  p.Feed("\ndata: z\n\n", &out);
  ASSERT_EQ(3u, out.size());
  EXPECT_EQ("z", out[2].data);
}

TEST(SseParserTest, BomAndEmptyDataLine) {
  EXPECT_EQ("[|a|][||]", Render(ParseWhole("\xEF\xBB\xBF"
                                           "data: a\n\ndata:\n\n")));
  EXPECT_EQ("", Render(ParseWhole(": only a comment\n\n")));
}

}  // namespace
}  // namespace endstate::models
