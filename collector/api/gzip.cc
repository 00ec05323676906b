#include "collector/api/gzip.h"

#include <zlib.h>

#include <array>

namespace bulwark::collector {
namespace {

// windowBits 15 + 16: gzip wrapper only (no raw deflate, no zlib header).
constexpr int kGzipWindowBits = 15 + 16;

Bytef* InputPointer(std::string_view input) {
  // zlib's API is not const-correct; it never writes through next_in.
  return reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
}

}  // namespace

Result<std::string> GunzipBounded(std::string_view input, std::size_t max_output) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) {
    return Status(StatusCode::kInternal, "zlib inflateInit2 failed");
  }
  stream.next_in = InputPointer(input);
  stream.avail_in = static_cast<uInt>(input.size());
  std::string out;
  std::array<char, 16 * 1024> chunk{};
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      if (rc == Z_BUF_ERROR) return Status(StatusCode::kInvalidArgument, "gzip body is truncated");
      return Status(StatusCode::kInvalidArgument,
                    std::string("gzip body is corrupt: ") + (stream.msg ? stream.msg : "bad data"));
    }
    const std::size_t produced = chunk.size() - stream.avail_out;
    if (out.size() + produced > max_output) {
      inflateEnd(&stream);
      return Status(StatusCode::kResourceExhausted,
                    "gzip body inflates beyond " + std::to_string(max_output) + " bytes");
    }
    out.append(chunk.data(), produced);
    if (rc == Z_OK && produced == 0 && stream.avail_in == 0) {
      inflateEnd(&stream);
      return Status(StatusCode::kInvalidArgument, "gzip body is truncated");
    }
  }
  const bool trailing = stream.avail_in != 0;
  inflateEnd(&stream);
  if (trailing) return Status(StatusCode::kInvalidArgument, "data after the end of the gzip body");
  return out;
}

Result<std::string> Gzip(std::string_view input) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status(StatusCode::kInternal, "zlib deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(input.size())), '\0');
  stream.next_in = InputPointer(input);
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  const std::size_t size = stream.total_out;
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return Status(StatusCode::kInternal, "zlib deflate failed");
  out.resize(size);
  return out;
}

}  // namespace bulwark::collector
