package org.apogee.core.lua;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.fileupload2.core.AbstractFileUpload;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemHeaders;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.RequestContext;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code require "apogee.multipart"}: a streaming {@code multipart/form-data} parser on
 * commons-fileupload, shared by every server adapter.
 *
 * <p>{@code parse(input, content_type)} reads the body from {@code input} (the request body, or any
 * object with a {@code read(self, n)} method) and returns an array of {@code {name, value}} pairs in
 * body order. A field's value is a string; a file's value is a table
 * {@code {name=<client file name>, size=n, ["content-type"]=..., <other part headers>}} whose
 * {@code contents} (a string), {@code path} (a file on disk) and {@code file} (an open handle) are made
 * only when the app reads them. A file part over 64 KiB goes to a temporary file as it arrives, so an
 * upload never has to fit in the heap; temporary files are deleted when the request ends.
 * A malformed body (no boundary, a truncated part) raises an {@link HttpError} 400.
 */
final class MultipartLib {

    static final int MEMORY_THRESHOLD = 64 * 1024;
    private static final int MAX_PARTS = 10_000;

    private MultipartLib() {}

    static LuaValue create(LuaState state) {
        LuaTable module = new LuaTable();
        // one read buffer per state, reused by every part; taken while in use, in case a Lua input
        // yields and another parse starts meanwhile
        byte[][] spare = new byte[1][];
        module.set("parse", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                byte[] buffer = spare[0] != null ? spare[0] : new byte[MEMORY_THRESHOLD + 1];
                spare[0] = null;
                try {
                    return parse(state, args.arg1(), args.checkjstring(2), buffer);
                } finally {
                    spare[0] = buffer;
                }
            }
        });
        module.set("memory_threshold", MEMORY_THRESHOLD);
        return module;
    }

    /** commons-fileupload's parser over a plain stream: no servlet needed. */
    private static final class Upload extends AbstractFileUpload<RequestContext, DiskFileItem, DiskFileItemFactory> {
        @Override public FileItemInputIterator getItemIterator(RequestContext request) throws IOException {
            return super.getItemIterator(request);
        }

        @Override public Map<String, List<DiskFileItem>> parseParameterMap(RequestContext request) {
            throw new UnsupportedOperationException();
        }

        @Override public List<DiskFileItem> parseRequest(RequestContext request) {
            throw new UnsupportedOperationException();
        }
    }

    static LuaTable parse(LuaState state, LuaValue input, String contentType, byte[] buffer) {
        InputStream body = input instanceof StreamSource s ? s.asStream() : new LuaReaderStream(input);
        RequestContext context = new RequestContext() {
            @Override public String getCharacterEncoding() { return StandardCharsets.UTF_8.name(); }
            @Override public long getContentLength() { return -1; }
            @Override public String getContentType() { return contentType; }
            @Override public InputStream getInputStream() { return body; }
            @Override public boolean isMultipartRelated() { return false; }
        };
        Upload upload = new Upload();
        // part headers as ISO-8859-1: one char per byte, so names reach Lua byte for byte
        upload.setHeaderCharset(StandardCharsets.ISO_8859_1);
        upload.setMaxFileCount(MAX_PARTS);
        LuaTable result = new LuaTable();
        try {
            FileItemInputIterator items = upload.getItemIterator(context);
            int n = 0;
            while (items.hasNext()) {
                FileItemInput item = items.next();
                String field = item.getFieldName();
                try (InputStream in = item.getInputStream()) {
                    if (field == null) {
                        in.transferTo(OutputStream.nullOutputStream());
                        continue;
                    }
                    String filename = item.getName();
                    LuaValue value;
                    if (filename == null || filename.isEmpty()) {
                        value = LuaString.valueUsing(readField(in, buffer));
                    } else {
                        value = fileTable(state, item, filename, in, buffer);
                    }
                    LuaTable pair = new LuaTable();
                    pair.set(1, bytes(field));
                    pair.set(2, value);
                    result.set(++n, pair);
                }
            }
        } catch (IOException e) {
            throw new HttpError(400, "malformed multipart/form-data body: " + describe(e));
        }
        return result;
    }

    /**
     * A header-derived string as Lua bytes: the raw bytes when it came straight from the header
     * (ISO-8859-1, one char per byte), UTF-8 when the parser decoded an RFC 2231/2047 value.
     */
    private static LuaString bytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) return LuaString.valueUsing(s.getBytes(StandardCharsets.UTF_8));
        }
        return LuaString.valueUsing(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String describe(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (m.contains("boundary")) return "no multipart boundary (" + m + ")";
        return m;
    }

    /** Reads into {@code buffer} until it is full or the part ends; returns the count. */
    private static int fill(InputStream in, byte[] buffer) throws IOException {
        int n = 0;
        while (n < buffer.length) {
            int r = in.read(buffer, n, buffer.length - n);
            if (r < 0) break;
            n += r;
        }
        return n;
    }

    /** A field's value: one exact-size copy when it fits the buffer. */
    private static byte[] readField(InputStream in, byte[] buffer) throws IOException {
        int n = fill(in, buffer);
        if (n < buffer.length) return java.util.Arrays.copyOf(buffer, n);
        ByteArrayOutputStream out = new ByteArrayOutputStream(buffer.length * 2);
        out.write(buffer, 0, n);
        in.transferTo(out);
        return out.toByteArray();
    }

    private static LuaTable fileTable(LuaState state, FileItemInput item, String clientName, InputStream in, byte[] buffer)
            throws IOException {
        StoredPart part = StoredPart.store(state, in, buffer);
        LuaTable file = new LuaTable();
        String base = clientName.substring(Math.max(clientName.lastIndexOf('/'), clientName.lastIndexOf('\\')) + 1);
        file.set("name", bytes(base));
        file.set("size", LuaValue.valueOf((double) part.size));
        FileItemHeaders headers = item.getHeaders();
        if (headers != null) {
            for (Iterator<String> names = headers.getHeaderNames(); names.hasNext(); ) {
                String name = names.next().toLowerCase(Locale.ROOT);
                if (name.equals("content-disposition")) continue;
                file.set(name, bytes(headers.getHeader(name)));
            }
        }
        if (item.getContentType() != null) file.set("content-type", LuaValue.valueOf(item.getContentType()));
        LuaTable meta = new LuaTable();
        meta.set(LuaValue.INDEX, new TwoArgFunction() {
            @Override public LuaValue call(LuaValue self, LuaValue key) {
                return part.lazyField(state, (LuaTable) self, key.tojstring());
            }
        });
        file.setmetatable(meta);
        return file;
    }

    /** One uploaded file: in memory while small, on disk once over the threshold. */
    private static final class StoredPart {
        byte[] bytes;
        Path path;
        long size;

        /** {@code buffer} holds MEMORY_THRESHOLD + 1 bytes: a full buffer means the part goes to disk. */
        static StoredPart store(LuaState state, InputStream in, byte[] buffer) throws IOException {
            StoredPart p = new StoredPart();
            int n = fill(in, buffer);
            if (n <= MEMORY_THRESHOLD) {
                p.bytes = java.util.Arrays.copyOf(buffer, n);
                p.size = n;
                return p;
            }
            p.path = p.createTemp(state);
            try (OutputStream out = Files.newOutputStream(p.path)) {
                out.write(buffer, 0, n);
                p.size = n + in.transferTo(out);
            }
            return p;
        }

        private Path createTemp(LuaState state) throws IOException {
            Path tmp = Files.createTempFile("apogee-upload-", ".part");
            state.atEnd(() -> {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    tmp.toFile().deleteOnExit();
                }
            });
            return tmp;
        }

        LuaValue lazyField(LuaState state, LuaTable file, String key) {
            try {
                switch (key) {
                    case "contents" -> {
                        LuaValue v = LuaString.valueUsing(bytes != null ? bytes : Files.readAllBytes(path));
                        file.rawset("contents", v);
                        return v;
                    }
                    case "path" -> {
                        if (path == null) {
                            path = createTemp(state);
                            Files.write(path, bytes);
                        }
                        LuaValue v = LuaValue.valueOf(path.toString());
                        file.rawset("path", v);
                        return v;
                    }
                    case "file" -> {
                        LuaValue p = file.get("path");
                        Varargs opened = state.get("io").get("open").invoke(p, LuaValue.valueOf("rb"));
                        if (opened.arg1().isnil()) throw new LuaError("cannot open uploaded file: " + opened.arg(2).tojstring());
                        return opened.arg1();
                    }
                    default -> {
                        return LuaValue.NIL;
                    }
                }
            } catch (IOException e) {
                throw new LuaError("cannot read uploaded file: " + e.getMessage());
            }
        }
    }

    /** A Lua object with {@code read(self, n)} seen as an InputStream (mock envs, wrapped inputs). */
    private static final class LuaReaderStream extends InputStream {
        private final LuaValue input;
        private final LuaValue read;
        private LuaString pending;
        private int offset;
        private boolean ended;

        LuaReaderStream(LuaValue input) {
            this.input = input;
            this.read = input.get("read");
            if (!read.isfunction()) throw new LuaError("multipart: the input has no read method");
        }

        @Override public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            while (pending == null || offset >= pending.length()) {
                if (ended) return -1;
                LuaValue chunk = read.call(input, LuaValue.valueOf(Math.max(len, 8192)));
                if (!chunk.isstring() || chunk.length() == 0) {
                    ended = true;
                    return -1;
                }
                pending = chunk.strvalue();
                offset = 0;
            }
            int n = Math.min(len, pending.length() - offset);
            pending.copyInto(offset, b, off, n);
            offset += n;
            return n;
        }
    }
}
