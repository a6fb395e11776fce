-- wsapi.filters.crypto: the primitives the filters and apps build on.

local crypto = require "wsapi.filters.crypto"

describe("wsapi.filters.crypto", function()
  it("pbkdf2 matches PBKDF2-HMAC-SHA256 known answers", function()
    -- values from Python's hashlib.pbkdf2_hmac, base64url without padding
    assert.are.equal("KBJH0RIw-FCnOKJi2s_ppNgRHFTFzBjXqxs-xS3zHTY", crypto.pbkdf2("passwd", "saltsalt", 1000))
    assert.are.equal("u3w-NSxouvegSQZIRQMhVZz_XGthdLGNx8g-kNdwOJc", crypto.pbkdf2("p\195\164ss", "\0\1\2\3\4\5\6\7"))
  end)

  it("pbkdf2 refuses short salts and silly iteration counts", function()
    assert.has_error(function() crypto.pbkdf2("pw", "short") end, "pbkdf2: the salt needs at least 8 bytes")
    assert.is_false(pcall(crypto.pbkdf2, "pw", "saltsalt", 10))
  end)

  it("random tokens differ and equals compares", function()
    local a, b = crypto.random_token(), crypto.random_token()
    assert.are_not.equal(a, b)
    assert.are.equal(32, #a)
    assert.is_true(crypto.equals(a, a))
    assert.is_false(crypto.equals(a, b))
  end)
end)
