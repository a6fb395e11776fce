package org.apogee.core.lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apogee.core.lua.LuaSpecs.Result;
import org.apogee.core.lua.LuaSpecs.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuaSpecsTest {

    @TempDir
    Path dir;

    private final LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.defaults());

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void reportsEveryTestWithItsStatus() throws Exception {
        Path spec = write("sample_spec.lua", """
                describe("sample", function()
                  it("passes", function() assert.equals(1, 1) end)
                  it("fails", function()
                    assert.equals(1, 2)
                  end)
                  pending("is pending")
                  describe("nested", function()
                    it("errors", function() local t = nil; return t.x end)
                  end)
                end)
                it("runs outside describe", function() end)
                """);
        List<Result> results = LuaSpecs.run(runtime, spec);
        assertEquals(List.of("sample passes", "sample fails", "sample is pending", "sample nested errors", "runs outside describe"),
                results.stream().map(Result::name).toList());
        assertEquals(List.of(Status.PASSED, Status.FAILED, Status.SKIPPED, Status.FAILED, Status.PASSED),
                results.stream().map(Result::status).toList());
        assertTrue(results.stream().allMatch(r -> r.spec().equals("sample_spec.lua")));
        assertNull(results.get(0).message());
        assertEquals("sample_spec.lua:6: pending", results.get(2).message());
        String failure = results.get(1).message();
        assertTrue(failure.startsWith("sample_spec.lua:4: "), failure);
        assertTrue(failure.contains("expected: (number) 1"), failure);
        assertTrue(failure.contains("actual:   (number) 2"), failure);
        assertTrue(results.get(3).message().startsWith("sample_spec.lua:8: attempt to index"), results.get(3).message());
    }

    @Test
    void aFileThatDoesNotLoadIsOneFailure() throws Exception {
        List<Result> syntax = LuaSpecs.run(runtime, write("broken_spec.lua", "describe('x', function() it('y', function() end) end"));
        assertEquals(1, syntax.size());
        assertEquals(Status.FAILED, syntax.get(0).status());
        assertEquals("broken_spec.lua", syntax.get(0).name());
        assertTrue(syntax.get(0).message().contains("broken_spec.lua"), syntax.get(0).message());

        List<Result> throwing = LuaSpecs.run(runtime, write("throws_spec.lua", "it('never runs', function() end)\nerror('at load time')"));
        assertEquals(1, throwing.size());
        assertEquals(Status.FAILED, throwing.get(0).status());
        assertTrue(throwing.get(0).message().contains("throws_spec.lua:2: at load time"), throwing.get(0).message());
    }

    @Test
    void aFailingDescribeBodyFailsThatBlockOnly() throws Exception {
        List<Result> results = LuaSpecs.run(runtime, write("describe_spec.lua", """
                describe("bad", function() error("in describe") end)
                describe("good", function() it("runs", function() end) end)
                """));
        assertEquals(2, results.size());
        assertEquals(Status.FAILED, results.get(0).status());
        assertTrue(results.get(0).message().contains("in describe"), results.get(0).message());
        assertEquals(Status.PASSED, results.get(1).status());
    }

    @Test
    void runsInTheSpecFolder() throws Exception {
        write("sub/data.txt", "content");
        write("sub/helper.lua", "return 42");
        Path spec = write("sub/cwd_spec.lua", """
                it("reads next to itself", function()
                  local f = assert(io.open("data.txt"))
                  assert.equals("content", f:read("*a"))
                  f:close()
                  assert.equals(42, require "helper")
                end)
                """);
        List<Result> results = LuaSpecs.run(runtime, spec);
        assertEquals(1, results.size());
        assertEquals(Status.PASSED, results.get(0).status(), String.valueOf(results.get(0).message()));
    }

    @Test
    void osExitFailsTheFile() throws Exception {
        List<Result> results = LuaSpecs.run(runtime, write("exit_spec.lua", "it('exits', function() pcall(os.exit, 2) end)"));
        assertEquals(1, results.size());
        assertEquals(Status.FAILED, results.get(0).status());
        assertTrue(results.get(0).message().contains("os.exit(2)"), results.get(0).message());
    }

    @Test
    void runAllPrintsFailuresAndTheSummary() throws Exception {
        write("a_spec.lua", """
                describe("a", function()
                  it("one", function() end)
                  it("two", function() assert.is_true(false) end)
                  pending("three")
                end)
                """);
        write("nested/b_spec.lua", "it('b', function() assert.same({1}, {1}) end)");
        write("nested/helper.lua", "error('not a spec: must not run')");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int failed = LuaSpecs.runAll(runtime, dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, failed);
        assertEquals("2 passed, 1 failed, 1 skipped", lines.get(lines.size() - 1));
        assertTrue(lines.contains("FAIL a_spec.lua: a two"), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("a_spec.lua:3: Expected true.")), String.join("\n", lines));
    }

    @Test
    void summaryMentionsSkippedTestsOnlyWhenThereAreSome() throws Exception {
        assertEquals("3 passed, 0 failed", LuaSpecs.summary(3, 0, 0));
        assertEquals("3 passed, 2 failed, 1 skipped", LuaSpecs.summary(3, 2, 1));
        write("ok_spec.lua", "it('passes', function() end)");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, LuaSpecs.runAll(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        assertEquals("1 passed, 0 failed", bytes.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void findsSpecFilesAtAnyDepthInOrder() throws Exception {
        write("z_spec.lua", "");
        write("a/b/c_spec.lua", "");
        write("a/not_spec.txt", "");
        write("a/spec.lua", "");
        List<Path> found = LuaSpecs.find(dir);
        assertEquals(List.of(dir.resolve("a/b/c_spec.lua"), dir.resolve("z_spec.lua")), found);
        assertFalse(found.isEmpty());
    }
}
