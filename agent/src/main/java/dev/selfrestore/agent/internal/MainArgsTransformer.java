package dev.selfrestore.agent.internal;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Gives the application's {@code main(String[])} the original's arguments: when the main class is
 * loaded, its {@code main} starts by replacing its parameter with a constant array of them.
 *
 * <p>A name-checked {@link ClassFileTransformer} on Byte Buddy's ASM, rather than Byte Buddy's
 * {@code AgentBuilder}: it touches one class and needs no type pool, so a cold JVM loads and runs
 * a small part of what AgentBuilder would (bench/README.md, "Where the time goes"). Nothing of it
 * is loaded unless {@code main-args=restore} is asked for. It
 * removes itself once it has seen the main class. The injected code calls nothing, so the main
 * class needs no access to selfrestore's classes.
 */
final class MainArgsTransformer implements ClassFileTransformer {
    private static final String MAIN_DESC = "([Ljava/lang/String;)V";
    /** The class file limit for one string constant, in modified UTF-8 bytes. */
    private static final int MAX_CONSTANT = 65535;

    private final Instrumentation inst;
    private final String internalName;
    private final String[] args;
    private final Consumer<String> onFailure;

    MainArgsTransformer(Instrumentation inst, String mainClass, String[] args, Consumer<String> onFailure) {
        this.inst = inst;
        this.internalName = mainClass.replace('.', '/');
        this.args = args.clone();
        this.onFailure = onFailure;
    }

    /** Null when every argument fits a class file constant; otherwise why not. */
    static String unfit(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (modifiedUtf8Length(args[i]) > MAX_CONSTANT) {
                return "argument " + i + " is longer than a class file constant holds (" + MAX_CONSTANT + " bytes)";
            }
        }
        return null;
    }

    void install() {
        inst.addTransformer(this, false);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] classfile) {
        if (redefined != null || !internalName.equals(className)) {
            return null;
        }
        inst.removeTransformer(this);
        try {
            ClassReader reader = OpenedClassReader.of(classfile);
            ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
            boolean[] found = {false};
            reader.accept(new ClassVisitor(OpenedClassReader.ASM_API, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                    MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                    if (!name.equals("main") || !desc.equals(MAIN_DESC) || (access & Opcodes.ACC_STATIC) == 0
                            || (access & Opcodes.ACC_ABSTRACT) != 0) {
                        return mv;
                    }
                    found[0] = true;
                    return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
                        @Override
                        public void visitCode() {
                            super.visitCode();
                            pushArguments(this);
                            super.visitVarInsn(Opcodes.ASTORE, 0);
                        }
                    };
                }
            }, 0);
            if (!found[0]) {
                onFailure.accept("main-args not restored: " + className.replace('/', '.')
                        + " has no static main(String[]) to give them to");
                return null;
            }
            return writer.toByteArray();
        } catch (RuntimeException | LinkageError e) {
            onFailure.accept("main-args not restored: cannot instrument " + className.replace('/', '.') + ": " + e);
            return null;
        }
    }

    private void pushArguments(MethodVisitor mv) {
        pushInt(mv, args.length);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/String");
        for (int i = 0; i < args.length; i++) {
            mv.visitInsn(Opcodes.DUP);
            pushInt(mv, i);
            mv.visitLdcInsn(args[i]);
            mv.visitInsn(Opcodes.AASTORE);
        }
    }

    private static void pushInt(MethodVisitor mv, int v) {
        if (v <= 5) {
            mv.visitInsn(Opcodes.ICONST_0 + v);
        } else if (v <= Byte.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.BIPUSH, v);
        } else if (v <= Short.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    private static int modifiedUtf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= 1 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
        }
        return n;
    }
}
