import java.nio.file.Files;
import java.nio.file.Path;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Build-time tool (run by exec-maven-plugin with ASM on its class path; never shipped): rewrites the body of
 * {@code org.luaj.vm2.LuaDouble.tojstring()} in LuaJ 3.0.1's class file to
 * {@code return org.apogee.luaj.CNumberText.format(this.v);}.
 *
 * <p>It refuses any class file that is not LuaJ 3.0.1's: the method must exist and call
 * {@code Float.toString(float)} exactly once (LuaJ's lossy conversion), and the field {@code v} must be a
 * double. A class file already patched is left as it is, so rebuilding is safe.
 */
public class PatchLuaDouble {
    static final String OWNER = "org/luaj/vm2/LuaDouble";
    static final String FORMATTER = "org/apogee/luaj/CNumberText";

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        byte[] original = Files.readAllBytes(file);
        ClassNode node = new ClassNode();
        new ClassReader(original).accept(node, 0);
        if (!OWNER.equals(node.name)) throw new IllegalStateException(file + " is " + node.name + ", not " + OWNER);
        FieldNode v = node.fields.stream().filter(f -> f.name.equals("v")).findFirst()
                .orElseThrow(() -> new IllegalStateException("LuaDouble has no field v"));
        if (!v.desc.equals("D")) throw new IllegalStateException("LuaDouble.v is " + v.desc + ", not a double");
        MethodNode method = node.methods.stream()
                .filter(m -> m.name.equals("tojstring") && m.desc.equals("()Ljava/lang/String;"))
                .findFirst().orElseThrow(() -> new IllegalStateException("LuaDouble has no tojstring()"));
        int lossy = 0, patched = 0;
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof MethodInsnNode call && call.getOpcode() == Opcodes.INVOKESTATIC) {
                if (call.owner.equals("java/lang/Float") && call.name.equals("toString")) lossy++;
                if (call.owner.equals(FORMATTER) && call.name.equals("format")) patched++;
            }
        }
        if (patched == 1 && lossy == 0 && method.instructions.size() == 4) {
            System.out.println("[patch] " + file + ": LuaDouble.tojstring() already calls " + FORMATTER + ".format");
            return;
        }
        if (lossy != 1 || patched != 0) {
            throw new IllegalStateException("LuaDouble.tojstring() is not LuaJ 3.0.1's (Float.toString calls: "
                    + lossy + ", formatter calls: " + patched + "); refusing to patch");
        }

        ClassReader reader = new ClassReader(original);
        // no branches in the new body, and the class's other methods keep their frames as they are
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                if (!name.equals("tojstring") || !desc.equals("()Ljava/lang/String;")) return mv;
                mv.visitCode();
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitFieldInsn(Opcodes.GETFIELD, OWNER, "v", "D");
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, FORMATTER, "format", "(D)Ljava/lang/String;", false);
                mv.visitInsn(Opcodes.ARETURN);
                mv.visitMaxs(0, 0);
                mv.visitEnd();
                return null; // the original body is dropped
            }
        }, 0);
        Files.write(file, writer.toByteArray());
        System.out.println("[patch] " + file + ": LuaDouble.tojstring() now returns " + FORMATTER + ".format(v)");
    }
}
