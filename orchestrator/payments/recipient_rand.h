// The recipient's random number (go-livepeer pm/recipient.go rand): the orchestrator commits to
// recipientRand by sending only keccak256 of it (recipientRandHash) in its TicketParams, and reveals
// it when it redeems a winner, so a sender cannot steer which tickets win. It is not stored: it is
// an HMAC, under a secret made at start, of everything the params promised, so a ticket whose
// faceValue, winProb, expiration or price differs from what was offered yields another
// recipientRand, whose hash no longer matches the ticket's.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "address.h"
#include "error.h"
#include "u256.h"
#include "ticket.h"

namespace lp::pm {

// A price in wei per pixel, as PriceInfo carries it (pricePerUnit / pixelsPerUnit), reduced to
// lowest terms with a positive denominator as go-livepeer's big.NewRat does.
struct Price {
  int64_t num = 0;
  int64_t den = 1;

  // PriceInfo's pair; pixelsPerUnit 0 is refused, as common.RatPriceInfo does.
  static Result<Price> make(int64_t price_per_unit, int64_t pixels_per_unit);
  bool positive() const { return num > 0; }
  friend bool operator==(const Price&, const Price&) = default;
};

// What the HMAC covers, in this order.
struct RandInputs {
  U256 seed;  // TicketParams.seed
  eth::Address sender;
  U256 face_value;
  U256 win_prob;
  U256 expiration_block;  // TicketParams.expiration_block
  Price price;            // the price the params were made for (Payment.expected_price)
  ExpirationParams expiration;
};

// seed ‖ sender ‖ faceValue ‖ winProb ‖ expirationBlock ‖ |price.num| ‖ price.den ‖ auxData, every
// number as big.Int.Bytes() writes it (big-endian, no leading zeros, nothing for 0).
std::vector<uint8_t> rand_message(const RandInputs& in);

// keccak256(recipientRand as a 32-byte word): the commitment in TicketParams and in each ticket.
Hash recipient_rand_hash(const RecipientRand& rand);

// The 32-byte HMAC-SHA256 key. Move-only; wiped when it dies.
class RecipientSecret {
 public:
  static constexpr size_t kSize = 32;

  // Fresh from OpenSSL's CSPRNG (go-livepeer makes one per start). A node keeps its secret under
  // --data-dir instead (recipient_secret.h), so tickets survive a restart.
  static Result<RecipientSecret> generate();
  explicit RecipientSecret(const std::array<uint8_t, kSize>& key) : key_(key) {}  // for tests

  RecipientSecret(RecipientSecret&& other) noexcept;
  RecipientSecret& operator=(RecipientSecret&& other) noexcept;
  RecipientSecret(const RecipientSecret&) = delete;
  RecipientSecret& operator=(const RecipientSecret&) = delete;
  ~RecipientSecret();

  // HMAC-SHA256(secret, rand_message(in)): the 32-byte digest is the number, big-endian.
  RecipientRand rand(const RandInputs& in) const;

 private:
  std::array<uint8_t, kSize> key_{};
};

// A fresh TicketParams seed: 32 random bytes (go-livepeer uses math/rand; the seed is public, but
// a CSPRNG costs nothing here and keeps seeds from being predictable).
Result<U256> random_seed();

}  // namespace lp::pm
