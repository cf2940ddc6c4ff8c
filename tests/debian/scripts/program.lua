-- Run by lua5.4 inside the unikernel and on the host; debian_test.sh compares the two
-- outputs byte for byte. Touches the parts of the interpreter that lean on the kernel:
-- reading files, the environment, arguments, the clock, the allocator (many small and some
-- large tables), and exit statuses.
local input = arg[1]
local lines, bytes = {}, 0
for line in io.lines(input) do
  lines[#lines + 1] = line
  bytes = bytes + #line + 1
end
print(string.format("read %d lines (%d bytes) from %s", #lines, bytes, input))

-- Word frequencies, sorted by count then word (a deterministic order).
local counts = {}
for _, line in ipairs(lines) do
  for word in line:gmatch("%a+") do
    word = word:lower()
    counts[word] = (counts[word] or 0) + 1
  end
end
local words = {}
for word, n in pairs(counts) do words[#words + 1] = {word = word, n = n} end
table.sort(words, function(a, b) if a.n ~= b.n then return a.n > b.n end return a.word < b.word end)
for i = 1, 3 do print(string.format("word %d: %s x%d", i, words[i].word, words[i].n)) end

-- A rolling 32-bit hash over every byte of the file: any lost or changed byte shows.
local h = 2166136261
for _, line in ipairs(lines) do
  for i = 1, #line do h = ((h ~ line:byte(i)) * 16777619) & 0xffffffff end
  h = ((h ~ 10) * 16777619) & 0xffffffff
end
print(string.format("fnv1a32 %08x", h))

-- Allocation: a 200 000-element table and a big string, then let the collector run.
local big = {}
for i = 1, 200000 do big[i] = i * i end
local sum = 0
for i = 1, #big, 1000 do sum = sum + big[i] end
local s = string.rep("unikernel ", 100000)
big = nil
collectgarbage()
print(string.format("sum %d, string %d bytes", sum, #s))

-- Coroutines, closures, pcall, string.pack, utf8 and floats.
local gen = coroutine.wrap(function() for i = 1, 5 do coroutine.yield(i * 3) end end)
local got = {}
for _ = 1, 5 do got[#got + 1] = gen() end
print("coroutine " .. table.concat(got, ","))
local ok, err = pcall(function() error({code = 42}) end)
print(string.format("pcall %s %d", tostring(ok), err.code))
print("pack " .. string.format("%q", string.pack("<i4d", 7, 0.5)):gsub("\n", "n"))
print(string.format("utf8 %d %s", utf8.len("h\u{e9}llo \u{4e16}"), utf8.char(72, 228)))
print(string.format("float %.10f %g %s", math.pi, 2^-10, tostring(7 // 2)))

-- The environment and the clock.
print("GREETING=" .. tostring(os.getenv("GREETING")))
local t0 = os.clock()
print("clock ok " .. tostring(os.clock() >= t0 and os.time() > 1600000000))
io.stdout:flush()
os.exit(tonumber(arg[2]))
