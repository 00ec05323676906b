#include "policy/bundle/keys.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "policy/bundle/signer.h"
#include "policy/bundle/strict_base64.h"

namespace bulwark::bundle {
namespace {

const std::string kKeysDir =
    std::string(BULWARK_SOURCE_DIR) + "/../shared/testdata/policy-conformance/keys/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

const std::string kEd25519Prefix = Unhex("302a300506032b6570032100");

TEST(KeysTest, ComputesKeyIdsOfTheFixtureKeys) {
  // Keyids from cases.json: sha256 of the DER SPKI.
  const struct {
    const char* name;
    KeyType type;
    const char* keyid;
  } kKeys[] = {
      {"pol1", KeyType::kEd25519,
       "2518a8aadb11c781abee00f34e9d8c385df469930618b41fac2c4c92d9fb4601"},
      {"root1", KeyType::kEd25519,
       "82499a3032a924ea739153a9a4fd4e28bbbd503e157fbd479558c97e5ab3430c"},
      {"pol3", KeyType::kEcdsaP256,
       "1200f71f4b66725a13273aed1b346e70c8f99ab7762168d4dc8f452931fba1a0"},
      {"evil3", KeyType::kEcdsaP256,
       "f5e6c063e4c7d916715ae2cbb828596f6fe35800f64a4073066c71c7301a55cb"},
  };
  for (const auto& k : kKeys) {
    Result<PrivateKey> priv = PrivateKey::FromPem(ReadFile(kKeysDir + k.name + ".key.pem"));
    ASSERT_TRUE(priv.ok()) << k.name << ": " << priv.status().ToString();
    EXPECT_EQ(priv->type(), k.type);
    EXPECT_EQ(priv->keyid(), k.keyid) << k.name;
    EXPECT_EQ(ComputeKeyId(priv->spki_der()), k.keyid);
    Result<PublicKey> pub = PublicKey::FromSpki(k.type, priv->spki_der());
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    EXPECT_EQ(pub->keyid(), k.keyid);
  }
}

TEST(KeysTest, Sha256HexMatchesKnownVector) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(IsKeyIdSyntax(Sha256Hex("abc")));
  EXPECT_FALSE(IsKeyIdSyntax("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  EXPECT_FALSE(IsKeyIdSyntax("ba78"));
}

TEST(KeysTest, AcceptsOnlyCanonicalSpki) {
  Result<PrivateKey> ed = PrivateKey::Generate(KeyType::kEd25519);
  Result<PrivateKey> ec = PrivateKey::Generate(KeyType::kEcdsaP256);
  ASSERT_TRUE(ed.ok() && ec.ok());
  EXPECT_EQ(ed->spki_der().size(), 44u);
  EXPECT_EQ(ec->spki_der().size(), 91u);
  EXPECT_TRUE(PublicKey::FromSpki(KeyType::kEd25519, ed->spki_der()).ok());
  EXPECT_TRUE(PublicKey::FromSpki(KeyType::kEcdsaP256, ec->spki_der()).ok());

  // Declared type must match the key.
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEcdsaP256, ed->spki_der()).ok());
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEd25519, ec->spki_der()).ok());
  // Trailing byte, truncation.
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEd25519, ed->spki_der() + '\0').ok());
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEd25519, ed->spki_der().substr(0, 43)).ok());
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEcdsaP256, ec->spki_der() + '\0').ok());
  // The compressed form of pol3 (fixture 2.same-key-twice.json) is the same key, not canonical.
  Result<std::string> compressed = DecodeStrictBase64(
      "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADNIDQ4gA2jBaXO2sUWR4tBmJoh+4R2p34JZB1GDahP+Q=");
  ASSERT_TRUE(compressed.ok());
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEcdsaP256, *compressed).ok());
  // A P-256 point that is not on the curve.
  std::string off_curve = ec->spki_der();
  off_curve.back() = static_cast<char>(off_curve.back() ^ 1);
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEcdsaP256, off_curve).ok());
  // Garbage.
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEd25519, std::string(44, '\0')).ok());
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEd25519, "").ok());
}

TEST(KeysTest, RejectsSmallOrderEd25519PointsWithEitherSign) {
  const char* kPoints[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  for (const char* hex : kPoints) {
    std::string point = Unhex(hex);
    EXPECT_TRUE(IsWeakEd25519Point(point)) << hex;
    EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEd25519, kEd25519Prefix + point).ok()) << hex;
    point[31] = static_cast<char>(point[31] | 0x80);  // the other sign of x
    EXPECT_TRUE(IsWeakEd25519Point(point)) << hex << " with sign bit";
    EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEd25519, kEd25519Prefix + point).ok());
  }
  // Non-canonical y >= p in general.
  EXPECT_TRUE(IsWeakEd25519Point(
      Unhex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")));
  // The identity key of fixture 2.low-order-key.json.
  Result<std::string> identity =
      DecodeStrictBase64("MCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  ASSERT_TRUE(identity.ok());
  EXPECT_FALSE(PublicKey::FromSpki(KeyType::kEd25519, *identity).ok());
  // An honest key is not weak.
  Result<PrivateKey> ed = PrivateKey::Generate(KeyType::kEd25519);
  ASSERT_TRUE(ed.ok());
  EXPECT_FALSE(IsWeakEd25519Point(ed->spki_der().substr(12)));
}

TEST(KeysTest, VerifiesEd25519SignaturesOfExactly64Bytes) {
  Result<PrivateKey> key = PrivateKey::Generate(KeyType::kEd25519);
  ASSERT_TRUE(key.ok());
  Result<PublicKey> pub = PublicKey::FromSpki(KeyType::kEd25519, key->spki_der());
  ASSERT_TRUE(pub.ok());
  Result<std::string> sig = key->Sign("message");
  ASSERT_TRUE(sig.ok());
  ASSERT_EQ(sig->size(), 64u);
  EXPECT_TRUE(pub->Verify("message", *sig));
  EXPECT_FALSE(pub->Verify("messagE", *sig));
  EXPECT_FALSE(pub->Verify("message", *sig + '\0'));
  EXPECT_FALSE(pub->Verify("message", sig->substr(0, 63)));
  std::string flipped = *sig;
  flipped[10] = static_cast<char>(flipped[10] ^ 0x01);
  EXPECT_FALSE(pub->Verify("message", flipped));
  EXPECT_FALSE(pub->Verify("message", ""));
}

TEST(KeysTest, VerifiesOnlyStrictDerEcdsaSignatures) {
  Result<PrivateKey> key = PrivateKey::Generate(KeyType::kEcdsaP256);
  ASSERT_TRUE(key.ok());
  Result<PublicKey> pub = PublicKey::FromSpki(KeyType::kEcdsaP256, key->spki_der());
  ASSERT_TRUE(pub.ok());
  Result<std::string> sig = key->Sign("message");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(IsStrictDerEcdsaSignature(*sig));
  EXPECT_TRUE(pub->Verify("message", *sig));
  EXPECT_FALSE(pub->Verify("other", *sig));
  // Trailing garbage after the SEQUENCE.
  EXPECT_FALSE(pub->Verify("message", *sig + '\0'));
  // BER long-form length for the same SEQUENCE (0x30 0x81 len ...).
  std::string ber = std::string("\x30\x81", 2) + sig->substr(1);
  EXPECT_FALSE(IsStrictDerEcdsaSignature(ber));
  EXPECT_FALSE(pub->Verify("message", ber));
  // A raw 64-byte r||s signature is not DER.
  EXPECT_FALSE(pub->Verify("message", std::string(64, '\x11')));
}

TEST(KeysTest, ClassifiesDerEcdsaEncodings) {
  EXPECT_TRUE(IsStrictDerEcdsaSignature(Unhex("3006020101020101")));
  EXPECT_TRUE(IsStrictDerEcdsaSignature(Unhex("30070201010202008f")));     // 0x00 pad needed
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Unhex("3007020101020200ff00")));  // wrong length
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Unhex("300702010102020001")));    // needless 0x00 pad
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Unhex("3006020101020181")));      // negative s
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Unhex("3006020100020101")));      // r = 0
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Unhex("3007020101020101")));      // length mismatch
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Unhex("3106020101020101")));      // not a SEQUENCE
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Unhex("3006020101030101")));      // not an INTEGER
  EXPECT_FALSE(IsStrictDerEcdsaSignature(""));
}

TEST(KeysTest, RoundTripsPrivateKeysThroughPem) {
  for (const KeyType type : {KeyType::kEd25519, KeyType::kEcdsaP256}) {
    Result<PrivateKey> key = PrivateKey::Generate(type);
    ASSERT_TRUE(key.ok());
    Result<PrivateKey> back = PrivateKey::FromPem(key->ToPkcs8Pem());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->keyid(), key->keyid());
    EXPECT_EQ(back->type(), type);
  }
  EXPECT_FALSE(PrivateKey::FromPem("not a key").ok());
  EXPECT_EQ(ParseKeyTypeName("ed25519"), KeyType::kEd25519);
  EXPECT_EQ(ParseKeyTypeName("ecdsa-p256"), KeyType::kEcdsaP256);
  EXPECT_FALSE(ParseKeyTypeName("rsa").has_value());
  EXPECT_EQ(KeyTypeName(KeyType::kEcdsaP256), "ecdsa-p256");
}

// Each Verify copies a context that the key initialised once; the copy must leave the
// original untouched, so a key (and its copies, which share that context) can verify any
// number of times, from several threads at once, good and bad signatures interleaved.
TEST(KeysTest, VerifiesRepeatedlyAndConcurrentlyWithOneKey) {
  for (const KeyType type : {KeyType::kEd25519, KeyType::kEcdsaP256}) {
    Result<PrivateKey> key = PrivateKey::Generate(type);
    ASSERT_TRUE(key.ok());
    Result<PublicKey> pub = PublicKey::FromSpki(type, key->spki_der());
    ASSERT_TRUE(pub.ok());
    const PublicKey copy = *pub;
    const std::string message(5000, 'm');
    Result<std::string> sig = key->Sign(message);
    ASSERT_TRUE(sig.ok());
    std::string bad = *sig;
    bad[bad.size() - 3] = static_cast<char>(bad[bad.size() - 3] ^ 0x04);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        const PublicKey& k = t % 2 == 0 ? *pub : copy;
        for (int i = 0; i < 20; ++i) {
          if (!k.Verify(message, *sig)) ++wrong;
          if (k.Verify(message, bad)) ++wrong;
          if (k.Verify(message + "x", *sig)) ++wrong;
        }
      });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0) << KeyTypeName(type);
    EXPECT_TRUE(pub->Verify(message, *sig));
  }
}

}  // namespace
}  // namespace bulwark::bundle
