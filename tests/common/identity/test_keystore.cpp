// Web3 Secret Storage v3: the specification's vectors, files written by other implementations,
// our own round trip, wrong passwords and corrupt files.
#include <gtest/gtest.h>
#include <json-glib/json-glib.h>

#include <regex>
#include <string>

#include "hex.h"
#include "keystore.h"
#include "test_identity.h"

namespace lp::eth {
namespace {

// The Web3 Secret Storage Definition's test vectors (ethereum wiki / ethereum.org,
// "Web3-Secret-Storage-Definition", password "testpassword"), as go-ethereum keeps them in
// accounts/keystore/testdata/v3_test_vector.json ("wikipage_test_vector_pbkdf2"/"_scrypt").
constexpr const char* kWikiPbkdf2 = R"({"crypto":{"cipher":"aes-128-ctr",
 "cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
 "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
 "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256",
  "salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
 "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
 "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
constexpr const char* kWikiScrypt = R"({"crypto":{"cipher":"aes-128-ctr",
 "cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
 "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
 "kdfparams":{"dklen":32,"n":262144,"r":1,"p":8,
  "salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
 "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
 "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
constexpr const char* kWikiKey = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

// go-ethereum accounts/keystore/testdata/v3_test_vector.json "31_byte_key" and "30_byte_key"
// (password "foo"): keys whose leading zero bytes an old writer dropped.
constexpr const char* kGeth31 = R"({"crypto":{"cipher":"aes-128-ctr",
 "cipherparams":{"iv":"e0c41130a323adc1446fc82f724bca2f"},
 "ciphertext":"9517cd5bdbe69076f9bf5057248c6c050141e970efa36ce53692d5d59a3984","kdf":"scrypt",
 "kdfparams":{"dklen":32,"n":2,"r":8,"p":1,
  "salt":"711f816911c92d649fb4c84b047915679933555030b3552c1212609b38208c63"},
 "mac":"d5e116151c6aa71470e67a7d42c9620c75c4d23229847dcc127794f0732b0db5"},
 "id":"fecfc4ce-e956-48fd-953b-30f8b52ed66c","version":3})";
constexpr const char* kGeth30 = R"({"crypto":{"cipher":"aes-128-ctr",
 "cipherparams":{"iv":"3ca92af36ad7c2cd92454c59cea5ef00"},
 "ciphertext":"108b7d34f3442fc26ab1ab90ca91476ba6bfa8c00975a49ef9051dc675aa","kdf":"scrypt",
 "kdfparams":{"dklen":32,"n":2,"r":8,"p":1,
  "salt":"d0769e608fb86cda848065642a9c6fa046845c928175662b8e356c77f914cd3b"},
 "mac":"75d0e6759f7b3cefa319c3be41680ab6beea7d8328653474bd06706d4cc67420"},
 "id":"a37e1559-5955-450d-8075-7b8931b392b2","version":3})";

// go-ethereum accounts/keystore/testdata/very-light-scrypt.json: written by geth, empty
// password, address 45dea0fb0bba44f4fcf290bba71fd57d7117cbb8 (its TestKeyEncryptDecrypt).
constexpr const char* kGethLight = R"({"address":"45dea0fb0bba44f4fcf290bba71fd57d7117cbb8",
 "crypto":{"cipher":"aes-128-ctr",
 "ciphertext":"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145",
 "cipherparams":{"iv":"dc4926b48a105133d2f16b96833abf1e"},"kdf":"scrypt",
 "kdfparams":{"dklen":32,"n":2,"p":1,"r":8,
  "salt":"004244bbdc51cadda545b1cfa43cff9ed2ae88e08c61f1479dbb45410722f8f0"},
 "mac":"39990c1684557447940d4c69e06b1b82b2aceacb43f284df65c956daf3046b85"},
 "id":"ce541d8d-c79b-40f8-9f8c-20f59616faba","version":3})";

// go-ethereum accounts/keystore/testdata/keystore/aaa (password "foobar", n=8 p=16).
constexpr const char* kGethAaa =
    R"({"address":"f466859ead1932d743d622cb74fc058882e8648a","crypto":{"cipher":"aes-128-ctr",
 "ciphertext":"cb664472deacb41a2e995fa7f96fe29ce744471deb8d146a0e43c7898c9ddd4d",
 "cipherparams":{"iv":"dfd9ee70812add5f4b8f89d0811c9158"},"kdf":"scrypt","kdfparams":{"dklen":32,
 "n":8,"p":16,"r":8,"salt":"0d6769bf016d45c479213990d6a08d938469c4adad8a02ce507b4a4e7b7739f1"},
 "mac":"bac9af994b15a45dd39669fc66f9aa8a3b9dd8c22cb16e4d8d7ea089d0f1a1a9"},
 "id":"472e8b3d-afb6-45b5-8111-72c89895099a","version":3})";

// Written by ethers 6.17.0: encryptKeystoreJsonSync({address, privateKey: 0x4c0883a6...},
// "ethers fixture ✓", {scrypt: {N: 1024}}). Note its capitalised "Crypto" member.
constexpr const char* kEthers =
    R"({"address":"2c7536e3605d9c16a7a3d7b1898e529396a65c23",
 "id":"656f789a-607e-4216-9a66-628d2bd5623d","version":3,"Crypto":{"cipher":"aes-128-ctr",
 "cipherparams":{"iv":"4f2c13216b511131e24cf8e10d93fe8e"},
 "ciphertext":"c285c6c4f6d45f9163883007adbf715da77176d2c648771e675958e312fd8552","kdf":"scrypt",
 "kdfparams":{"salt":"972a5b399c024b70e7a1c20dcd570b62292048c33966533c66629602494cfb8e","n":1024,
 "dklen":32,"p":1,"r":8},
 "mac":"ba3e7d5f5f6bbdea12bc5a2539d8fc0af9f4813fbea153a803b6f294bc72f8bd"}})";

std::string secret_hex(const PrivateKey& key) { return to_hex(key.secret()); }

// `json` with the first occurrence of `from` replaced by `to`.
std::string edit(std::string json, const std::string& from, const std::string& to) {
  size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? json : json.replace(at, from.size(), to);
}

TEST(Keystore, WikiVectors) {
  for (const char* doc : {kWikiPbkdf2, kWikiScrypt}) {
    auto key = decrypt_keystore(doc, "testpassword");
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(secret_hex(*key), kWikiKey);
    EXPECT_TRUE(Fails(decrypt_keystore(doc, "testpassword2"), ErrorCode::Unauthorized, "wrong password"));
  }
}

TEST(Keystore, ShortKeysAreLeftPadded) {
  auto k31 = decrypt_keystore(kGeth31, "foo");
  ASSERT_TRUE(k31.ok()) << k31.error().message;
  EXPECT_EQ(secret_hex(*k31), "00fa7b3db73dc7dfdf8c5fbdb796d741e4488628c41fc4febd9160a866ba0f35");
  auto k30 = decrypt_keystore(kGeth30, "foo");
  ASSERT_TRUE(k30.ok()) << k30.error().message;
  EXPECT_EQ(secret_hex(*k30), "000081c29e8142bb6a81bef5a92bda7a8328a5c85bb2f9542e76f9b0f94fc018");
}

TEST(Keystore, FilesFromOtherImplementations) {
  struct Case {
    const char* json;
    const char* password;
    const char* address;
  } cases[] = {
      {kGethLight, "", "45dea0fb0bba44f4fcf290bba71fd57d7117cbb8"},
      {kGethAaa, "foobar", "f466859ead1932d743d622cb74fc058882e8648a"},
      {kEthers, "ethers fixture ✓", "2c7536e3605d9c16a7a3d7b1898e529396a65c23"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.address);
    auto key = decrypt_keystore(c.json, c.password);
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key->address().hex(), c.address);
    EXPECT_EQ(keystore_address(c.json).value().hex(), c.address);
    EXPECT_TRUE(
        Fails(decrypt_keystore(c.json, std::string(c.password) + "bad"), ErrorCode::Unauthorized, "wrong password"));
  }
  EXPECT_EQ(secret_hex(decrypt_keystore(kEthers, "ethers fixture ✓").value()), std::string(kWeb3Key).substr(2));
}

TEST(Keystore, RoundTripWritesWhatGethWrites) {
  auto key = PrivateKey::generate();
  ASSERT_TRUE(key.ok());
  auto json = encrypt_keystore(*key, "correct horse", kScryptLight);
  ASSERT_TRUE(json.ok()) << json.error().message;

  g_autoptr(JsonParser) parser = json_parser_new();
  ASSERT_TRUE(json_parser_load_from_data(parser, json->c_str(), -1, nullptr));
  JsonObject* root = json_node_get_object(json_parser_get_root(parser));
  EXPECT_EQ(json_object_get_int_member(root, "version"), 3);
  EXPECT_EQ(json_object_get_string_member(root, "address"), key->address().hex());
  EXPECT_TRUE(std::regex_match(json_object_get_string_member(root, "id"),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")));
  JsonObject* crypto = json_object_get_object_member(root, "crypto");
  EXPECT_STREQ(json_object_get_string_member(crypto, "cipher"), "aes-128-ctr");
  EXPECT_STREQ(json_object_get_string_member(crypto, "kdf"), "scrypt");
  JsonObject* kp = json_object_get_object_member(crypto, "kdfparams");
  EXPECT_EQ(json_object_get_int_member(kp, "n"), 4096);
  EXPECT_EQ(json_object_get_int_member(kp, "r"), 8);
  EXPECT_EQ(json_object_get_int_member(kp, "p"), 6);
  EXPECT_EQ(json_object_get_int_member(kp, "dklen"), 32);
  EXPECT_EQ(std::string(json_object_get_string_member(kp, "salt")).size(), 64u);
  EXPECT_EQ(
      std::string(json_object_get_string_member(json_object_get_object_member(crypto, "cipherparams"), "iv")).size(),
      32u);

  auto back = decrypt_keystore(*json, "correct horse");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(secret_hex(*back), secret_hex(*key));
  EXPECT_TRUE(Fails(decrypt_keystore(*json, "correct horse "), ErrorCode::Unauthorized, "wrong password"));
  // Fresh salt, IV and id every time.
  EXPECT_NE(encrypt_keystore(*key, "correct horse", kScryptLight).value(), *json);
}

TEST(Keystore, DefaultsAreGethStandard) {
  EXPECT_EQ(kScryptStandard.n, 262144u);
  EXPECT_EQ(kScryptStandard.r, 8u);
  EXPECT_EQ(kScryptStandard.p, 1u);
  ScryptParams defaults;
  EXPECT_EQ(defaults.n, kScryptStandard.n);
}

TEST(Keystore, EmptyPasswordRoundTrip) {
  auto key = PrivateKey::generate();
  auto json = encrypt_keystore(*key, "", ScryptParams{1024, 8, 1});
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_TRUE(decrypt_keystore(*json, "").ok());
  EXPECT_TRUE(Fails(decrypt_keystore(*json, " "), ErrorCode::Unauthorized, "wrong password"));
}

TEST(Keystore, TamperedFileIsAWrongPassword) {
  // The MAC covers the ciphertext: any change to it reads as a wrong password, never as a
  // different key.
  std::string ct = "b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145";
  EXPECT_TRUE(
      Fails(decrypt_keystore(edit(kGethLight, ct, "c" + ct.substr(1)), ""), ErrorCode::Unauthorized, "wrong password"));
  EXPECT_TRUE(Fails(decrypt_keystore(edit(kGethLight, "\"mac\":\"3", "\"mac\":\"4"), ""), ErrorCode::Unauthorized,
                    "wrong password"));
}

TEST(Keystore, CorruptFilesSayWhatIsWrong) {
  const std::string base = kGethLight;
  struct Case {
    std::string json;
    const char* why;
  } cases[] = {
      {"", "invalid JSON"},
      {"{\"version\":3,", "invalid JSON"},
      {"[1,2]", "not a JSON object"},
      {edit(base, "\"version\":3", "\"versio\":3"), "missing field version"},
      {edit(base, "\"version\":3", "\"version\":\"3\""), "field version must be an integer"},
      {edit(base, "\"version\":3", "\"version\":1"), "unsupported keystore version 1"},
      {edit(base, "\"crypto\"", "\"cryptox\""), "missing field crypto"},
      {edit(base, "\"cipher\":", "\"ciphe\":"), "missing field crypto.cipher"},
      {edit(base, "aes-128-ctr", "aes-128-cbc"), "unsupported cipher \"aes-128-cbc\""},
      {edit(base, "\"cipherparams\"", "\"cipherparamz\""), "missing field crypto.cipherparams"},
      {edit(base, "dc4926b48a105133", "dc4926b48a10513g"), "bad hex in crypto.cipherparams.iv"},
      {edit(base, "\"iv\":\"dc4926b48a105133d2f16b96833abf1e\"", "\"iv\":\"dc49\""),
       "crypto.cipherparams.iv must be 16 bytes"},
      {edit(base, "\"ciphertext\":\"b8", "\"ciphertext\":\"x8"), "bad hex in crypto.ciphertext"},
      {edit(base, "\"ciphertext\":\"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145",
            "\"ciphertext\":\"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb7414500"),
       "crypto.ciphertext must hold a 32-byte key, got 33 bytes"},
      {edit(base, "\"mac\"", "\"mak\""), "missing field crypto.mac"},
      {edit(base, "\"kdf\":\"scrypt\"", "\"kdf\":\"argon2id\""), "unsupported kdf \"argon2id\""},
      {edit(base, "\"kdfparams\"", "\"kdfparamz\""), "missing field crypto.kdfparams"},
      {edit(base, "\"salt\"", "\"sal\""), "missing field crypto.kdfparams.salt"},
      {edit(base, "\"salt\":\"00", "\"salt\":\"0"), "bad hex in crypto.kdfparams.salt"},
      {edit(base, "\"n\":2,", "\"n\":3,"), "scrypt n must be a power of two"},
      {edit(base, "\"n\":2,", "\"n\":\"2\","), "field crypto.kdfparams.n must be an integer"},
      {edit(base, "\"n\":2,", "\"n\":1073741824,"), "MiB of memory"},
      {edit(base, "\"p\":1,", "\"p\":0,"), "scrypt n, r or p out of range (n=2, r=8, p=0)"},
      {edit(base, "\"dklen\":32", "\"dklen\":16"), "crypto.kdfparams.dklen must be between"},
      {edit(base, "45dea0fb0bba44f4", "55dea0fb0bba44f4"), "is not the address of the key inside"},
      {edit(base, "\"address\":\"45", "\"address\":\"x5"), "bad hex in address"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.why);
    EXPECT_TRUE(Fails(decrypt_keystore(c.json, ""), ErrorCode::BadKey, c.why));
  }
}

TEST(Keystore, Pbkdf2Errors) {
  const std::string base = kWikiPbkdf2;
  EXPECT_TRUE(Fails(decrypt_keystore(edit(base, "hmac-sha256", "hmac-sha512"), "testpassword"), ErrorCode::BadKey,
                    "unsupported crypto.kdfparams.prf \"hmac-sha512\""));
  EXPECT_TRUE(Fails(decrypt_keystore(edit(base, "\"c\":262144", "\"c\":0"), "testpassword"), ErrorCode::BadKey,
                    "crypto.kdfparams.c must be between 1 and"));
  EXPECT_TRUE(Fails(decrypt_keystore(edit(base, "\"c\":262144,", ""), "testpassword"), ErrorCode::BadKey,
                    "missing field crypto.kdfparams.c"));
}

TEST(Keystore, AddressWithoutDecrypting) {
  EXPECT_EQ(keystore_address(kGethAaa).value().hex(), "f466859ead1932d743d622cb74fc058882e8648a");
  EXPECT_TRUE(Fails(keystore_address(kWikiScrypt), ErrorCode::BadKey, "no address field"));
  EXPECT_TRUE(Fails(keystore_address("not json"), ErrorCode::BadKey, "invalid JSON"));
}

}  // namespace
}  // namespace lp::eth
