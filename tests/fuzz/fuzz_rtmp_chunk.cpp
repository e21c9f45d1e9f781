// The RTMP chunk stream reader (broadcaster/rtmp/rtmp_chunk.h), fed what a publisher sends after the
// handshake. The first input byte picks how the rest is cut into reads (1..64 bytes, or all at
// once) and which limits apply (the session's before and after publish); Set Chunk Size and
// Abort messages are obeyed as rtmp_session.cpp does. Every message read must come back the
// same through ChunkWriter and a fresh reader.
#include <vector>

#include "fuzz_common.h"
#include "rtmp_bytes.h"
#include "rtmp_chunk.h"

using lp::rtmp::ChunkReader;
using lp::rtmp::ChunkWriter;
using lp::rtmp::Message;

namespace {

bool same(const Message& a, const Message& b) {
  return a.type == b.type && a.stream_id == b.stream_id && a.timestamp == b.timestamp && a.payload == b.payload;
}

// The message written in chunks of `chunk_size` and read back alone.
void check_round_trip(const Message& m, uint32_t chunk_size) {
  ChunkWriter writer;
  writer.set_chunk_size(chunk_size);
  std::string wire;
  writer.write(wire, 3, m);
  ChunkReader reader(ChunkReader::Limits{});
  reader.set_chunk_size(chunk_size);
  std::vector<Message> got;
  auto error = reader.feed(wire, [&got](Message&& back) {
    got.push_back(std::move(back));
    return true;
  });
  if (!error.ok() || got.size() != 1 || !same(got[0], m))
    lp::fuzz::fail("rtmp: a message does not survive ChunkWriter and ChunkReader");
}

struct Outcome {
  std::vector<Message> messages;
  bool failed = false;  // the reader or the Set Chunk Size check refused the stream
};

// Feeds `in` in reads of `piece` bytes, as a session would.
Outcome read_all(std::string_view in, size_t piece, bool publishing) {
  // rtmp_session.cpp's setup and publishing limits, with a 16 MiB max_message_size.
  const uint32_t max_message = 16u << 20;
  ChunkReader reader(publishing ? ChunkReader::Limits{max_message, 64, size_t{max_message} + (1u << 20)}
                                : ChunkReader::Limits{64 * 1024, 16, 256 * 1024});
  Outcome out;
  uint32_t chunk_size = lp::rtmp::kDefaultChunkSize;
  const ChunkReader::OnMessage on_message = [&](Message&& m) {
    if (m.payload.size() <= 4096) check_round_trip(m, chunk_size);
    const std::string_view p = m.payload;
    if (m.type == lp::rtmp::kSetChunkSize) {
      const uint32_t next = p.size() >= 4 ? lp::rtmp::read_be32(p) : 0;
      if (next == 0 || next > max_message) {
        out.failed = true;  // the session fails the connection
        return false;
      }
      reader.set_chunk_size(next);
      chunk_size = next;
    } else if (m.type == lp::rtmp::kAbort && p.size() >= 4) {
      reader.abort(lp::rtmp::read_be32(p));
    }
    out.messages.push_back(std::move(m));
    return true;
  };
  while (!in.empty() && !out.failed) {
    const size_t n = std::min(piece, in.size());
    if (!reader.feed(in.substr(0, n), on_message).ok()) out.failed = true;
    in.remove_prefix(n);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t control = data[0];
  const std::string_view in = lp::fuzz::text(data + 1, size - 1);
  const bool publishing = control & 0x40;
  const Outcome whole = read_all(in, in.size() + 1, publishing);
  if ((control & 0x3f) == 0) return 0;
  // How the stream is cut into reads must not change what is read from it.
  const Outcome pieces = read_all(in, control & 0x3f, publishing);
  bool equal = whole.failed == pieces.failed && whole.messages.size() == pieces.messages.size();
  for (size_t i = 0; equal && i < whole.messages.size(); ++i) equal = same(whole.messages[i], pieces.messages[i]);
  if (!equal) lp::fuzz::fail("rtmp: cutting the input into other reads changed the messages");
  return 0;
}
