// Vocab from a SentencePiece tokenizer.model (ModelProto): pieces, trainer ids, normalizer.
#include <stdexcept>
#include <string>

#include "tokenizer/protobuf_reader.hpp"
#include "tokenizer/vocab_loaders.hpp"
#include "util/read_file.hpp"

namespace rbee {
namespace {

// Field numbers from sentencepiece_model.proto.
enum ModelField : uint32_t { kPieces = 1, kTrainerSpec = 2, kNormalizerSpec = 3 };
enum PieceField : uint32_t { kPiece = 1, kScore = 2, kType = 3 };
enum TrainerField : uint32_t { kModelType = 3, kUnkId = 40, kBosId = 41, kEosId = 42, kPadId = 43 };
enum NormalizerField : uint32_t {
  kCharsmap = 2, kAddDummyPrefix = 3, kRemoveExtraWhitespaces = 4, kEscapeWhitespaces = 5
};
constexpr uint64_t kModelTypeBpe = 2;

void read_piece(std::string_view msg, Vocab& v) {
  ProtobufReader r(msg);
  std::string piece;
  float score = 0;
  TokenType type = TokenType::Normal;
  uint32_t field;
  ProtobufReader::WireType wt;
  while (r.next(field, wt)) {
    if (field == kPiece && wt == ProtobufReader::LengthDelimited) piece = r.bytes();
    else if (field == kScore && wt == ProtobufReader::Fixed32) score = r.fixed32_float();
    else if (field == kType && wt == ProtobufReader::Varint) type = TokenType(r.varint());
    else r.skip(wt);
  }
  v.tokens.push_back(std::move(piece));
  v.scores.push_back(score);
  v.types.push_back(type);
}

void read_trainer(std::string_view msg, Vocab& v, uint64_t& model_type) {
  ProtobufReader r(msg);
  uint32_t field;
  ProtobufReader::WireType wt;
  while (r.next(field, wt)) {
    if (wt != ProtobufReader::Varint) {
      r.skip(wt);
      continue;
    }
    const auto value = int32_t(r.varint());  // int32 fields: negatives arrive sign-extended
    if (field == kModelType) model_type = uint64_t(value);
    else if (field == kUnkId) v.unk = value;
    else if (field == kBosId) v.bos = value;
    else if (field == kEosId) v.eos = value;
    else if (field == kPadId) v.pad = value;
  }
}

void read_normalizer(std::string_view msg, Vocab& v) {
  ProtobufReader r(msg);
  uint32_t field;
  ProtobufReader::WireType wt;
  while (r.next(field, wt)) {
    if (field == kCharsmap && wt == ProtobufReader::LengthDelimited) v.precompiled_charsmap = r.bytes();
    else if (field == kAddDummyPrefix && wt == ProtobufReader::Varint) v.add_space_prefix = r.varint();
    else if (field == kRemoveExtraWhitespaces && wt == ProtobufReader::Varint) v.remove_extra_whitespaces = r.varint();
    else if (field == kEscapeWhitespaces && wt == ProtobufReader::Varint) {
      if (!r.varint()) throw std::runtime_error("escape_whitespaces=false is not supported");
    } else r.skip(wt);
  }
}

}  // namespace

Vocab vocab_from_sentencepiece_model(const std::filesystem::path& path) {
  const std::string data = read_regular_file(path);

  Vocab v;
  v.model = VocabModel::SentencePiece;
  // proto defaults for fields the file may omit
  v.unk = 0, v.bos = 1, v.eos = 2, v.pad = -1;
  v.add_space_prefix = true;
  v.remove_extra_whitespaces = true;
  v.add_bos = true;
  uint64_t model_type = 1;  // UNIGRAM is the proto default

  try {
    ProtobufReader r(data);
    uint32_t field;
    ProtobufReader::WireType wt;
    while (r.next(field, wt)) {
      if (wt != ProtobufReader::LengthDelimited) r.skip(wt);
      else if (field == kPieces) read_piece(r.bytes(), v);
      else if (field == kTrainerSpec) read_trainer(r.bytes(), v, model_type);
      else if (field == kNormalizerSpec) read_normalizer(r.bytes(), v);
      else r.skip(wt);
    }
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
  if (model_type != kModelTypeBpe)
    throw std::runtime_error(path.string() + ": only SentencePiece BPE models are supported");
  if (v.tokens.empty()) throw std::runtime_error(path.string() + ": no pieces");
  return v;
}

}  // namespace rbee
