-- board.accounts: signing up, logging in, and who is logged in.
--
-- Passwords are never stored: each account keeps a random salt and the PBKDF2-HMAC-SHA256 of
-- the password with that salt (wsapi.filters.crypto.pbkdf2), and the number of iterations used,
-- so the number can be raised later without locking anyone out.
--
-- Who is logged in lives in the session (wsapi.filters.session): the account's id and name.

local crypto = require "wsapi.filters.crypto"
local forms = require "board.forms"

local M = {}

-- PBKDF2 iterations for new passwords (crypto.pbkdf2's default; tests lower it to run faster).
M.ITERATIONS = 210000

M.MIN_PASSWORD = 8

local Accounts = {}
Accounts.__index = Accounts

--- Accounts over the orbit.model DAO of the board_user table.
function M.new(users)
  return setmetatable({ users = users }, Accounts)
end

--- Checks a user name; returns the name or nil and a message.
function M.check_username(name)
  local clean, problem = forms.text(name, "The user name", 32)
  if problem then return nil, problem end
  if not clean then return nil, "Choose a user name." end
  if #clean < 3 or not clean:match("^[A-Za-z0-9_.%-]+$") then
    return nil, "A user name has 3 to 32 letters, digits, dots, dashes or underscores."
  end
  return clean
end

--- Checks a new password; returns it or nil and a message.
function M.check_password(password)
  if type(password) ~= "string" or password == "" then return nil, "Choose a password." end
  if #password < M.MIN_PASSWORD then
    return nil, "A password needs at least " .. M.MIN_PASSWORD .. " characters."
  end
  if #password > 1024 then return nil, "That password is too long." end
  return password
end

function Accounts:find(id)
  return self.users:find(id)
end

--- The account of that name, whatever its case.
function Accounts:find_by_name(name)
  return self.users:find_first("lower(username) = lower(?)", { name })
end

--- Creates an account. Returns it, or nil and a message for the form.
function Accounts:signup(username, password)
  local name, problem = M.check_username(username)
  if not name then return nil, problem end
  local pw, weak = M.check_password(password)
  if not pw then return nil, weak end
  if self:find_by_name(name) then return nil, "That user name is taken." end

  local salt = crypto.random_token(16)
  local user = self.users:new{
    username = name,
    password_salt = salt,
    password_iterations = M.ITERATIONS,
    password_hash = crypto.pbkdf2(pw, salt, M.ITERATIONS),
  }
  -- two sign-ups for one name at the same moment: the unique index refuses the second
  local ok = pcall(user.save, user)
  if not ok then
    if self:find_by_name(name) then return nil, "That user name is taken." end
    error("cannot create the account " .. name)
  end
  return user
end

-- A salt for checking passwords of names that do not exist, so that the answer takes as long
-- as for a real account and does not reveal which names exist.
local DUMMY_SALT = crypto.random_token(16)

--- The account when the name and password match, else nil.
function Accounts:authenticate(username, password)
  if type(username) ~= "string" or type(password) ~= "string" or #password > 1024 then return nil end
  local user = forms.valid_utf8(username) and self:find_by_name(username) or nil
  if not user then
    crypto.pbkdf2(password, DUMMY_SALT, M.ITERATIONS)
    return nil
  end
  local hash = crypto.pbkdf2(password, user.password_salt, tonumber(user.password_iterations))
  if crypto.equals(hash, user.password_hash) then return user end
  return nil
end

-- Sessions ----------------------------------------------------------------------------------

--- Marks the session as logged in to `user`. The session gets a new id (regenerate), so an id
-- an attacker planted in the browser before the login is worth nothing after it.
function M.log_in(env, user)
  local s = env.session
  s:set("user", { id = user.id, name = user.username })
  s:regenerate()
end

--- Forgets the session and expires its cookie.
function M.log_out(env)
  env.session:destroy()
end

--- The logged-in user as { id = ..., name = ... }, or nil.
function M.current(env)
  local s = env.session
  local user = s and s:get("user")
  if type(user) == "table" and user.id then return user end
  return nil
end

return M
