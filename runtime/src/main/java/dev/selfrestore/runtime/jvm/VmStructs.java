package dev.selfrestore.runtime.jvm;

import dev.selfrestore.nativeshim.ProcessMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The static fields of HotSpot this process's JVM exports in its {@code gHotSpotVMStructs} table,
 * read the way the serviceability agent reads it: the table's address and the layout of its
 * entries ({@code gHotSpotVMStructEntry*Offset}, {@code gHotSpotVMStructEntryArrayStride}) are
 * global symbols of libjvm, which the java launcher loads with {@code RTLD_GLOBAL}. Each entry
 * names a type, a field and the field's C type; a static one gives the field's address. The table
 * ends with an entry whose type name is null.
 */
public final class VmStructs {

    /** A static field: where it is and its C type as vmStructs.cpp declares it. */
    public record Field(long address, String type) {
    }

    private static final int MAX_ENTRIES = 100_000;
    private static final int MAX_NAME = 256;
    private static final long PAGE = 4096;

    private final Map<String, Field> fields;

    private VmStructs(Map<String, Field> fields) {
        this.fields = fields;
    }

    /**
     * Reads the static fields named {@code "Type::_field"} in {@code wanted}.
     *
     * @throws IllegalStateException naming what is missing when this is not a HotSpot JVM whose
     *                               table can be read
     */
    public static VmStructs read(ProcessMemory mem, Set<String> wanted) {
        long table = symbolValue(mem, "gHotSpotVMStructs");
        long typeName = symbolValue(mem, "gHotSpotVMStructEntryTypeNameOffset");
        long fieldName = symbolValue(mem, "gHotSpotVMStructEntryFieldNameOffset");
        long typeString = symbolValue(mem, "gHotSpotVMStructEntryTypeStringOffset");
        long isStatic = symbolValue(mem, "gHotSpotVMStructEntryIsStaticOffset");
        long address = symbolValue(mem, "gHotSpotVMStructEntryAddressOffset");
        long stride = symbolValue(mem, "gHotSpotVMStructEntryArrayStride");
        if (table == 0 || stride <= 0 || stride > 1024 || Math.max(Math.max(typeName, fieldName),
                Math.max(Math.max(typeString, isStatic), address)) + 8 > stride) {
            throw new IllegalStateException("gHotSpotVMStructs is empty or its stride " + stride + " is not an entry's");
        }
        Set<String> types = new java.util.HashSet<>();
        for (String w : wanted) {
            types.add(w.substring(0, w.indexOf("::")));
        }
        Map<Long, String> names = new HashMap<>(); // the same literal is one address for every entry of a type
        Map<String, Field> found = new HashMap<>();
        long at = table;
        for (int i = 0; i < MAX_ENTRIES && found.size() < wanted.size(); ) {
            // Whole entries up to the end of the page that holds the end of the next one (which
            // exists): never a byte of a page the table does not reach.
            long limit = ((at + stride - 1) | (PAGE - 1)) + 1;
            int count = (int) Math.max(1, (limit - at) / stride);
            ByteBuffer entries = ByteBuffer.wrap(mem.read(at, (int) (count * stride))).order(ByteOrder.nativeOrder());
            for (int k = 0; k < count; k++, i++) {
                int e = (int) (k * stride);
                long type = entries.getLong(e + (int) typeName);
                if (type == 0) {
                    return new VmStructs(found);
                }
                if (entries.getInt(e + (int) isStatic) == 0
                        || !types.contains(names.computeIfAbsent(type, t -> string(mem, t)))) {
                    continue;
                }
                String key = names.get(type) + "::" + string(mem, entries.getLong(e + (int) fieldName));
                if (wanted.contains(key)) {
                    found.put(key, new Field(entries.getLong(e + (int) address),
                            string(mem, entries.getLong(e + (int) typeString))));
                }
            }
            at += count * stride;
        }
        return new VmStructs(found);
    }

    /** The value of a global variable of libjvm, the variable's address looked up by name. */
    private static long symbolValue(ProcessMemory mem, String name) {
        long a = mem.globalSymbol(name);
        if (a == 0) {
            throw new IllegalStateException(name + " not found (not a HotSpot JVM, or one that exports no VM structs)");
        }
        return mem.readLong(a);
    }

    private static String string(ProcessMemory mem, long address) {
        byte[] b = mem.readCString(address, MAX_NAME);
        return b == null ? "" : new String(b, StandardCharsets.ISO_8859_1);
    }

    /**
     * The field {@code key} ({@code "Type::_field"}), checked to be of C type {@code type}.
     *
     * @throws IllegalStateException when this JVM does not export it with that type
     */
    public Field field(String key, String type) {
        Field f = fields.get(key);
        if (f == null || f.address() == 0) {
            throw new IllegalStateException(key + " is not in this JVM's gHotSpotVMStructs");
        }
        if (!f.type().equals(type)) {
            throw new IllegalStateException(key + " is a " + f.type() + " in this JVM, not a " + type);
        }
        return f;
    }
}
