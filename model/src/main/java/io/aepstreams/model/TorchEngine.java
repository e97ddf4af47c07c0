package io.aepstreams.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine once, with the settings this project runs it with. NNPACK is switched off through
 * libtorch's own user flag ({@code at::globalContext().setUserEnabledNNPACK(false)}, what Python's
 * {@code torch.backends.nnpack.set_flags(False)} calls): on CPUs that NNPACK does not support, libtorch otherwise
 * logs "Could not initialize NNPACK! Reason: Unsupported hardware." at every small convolution, tens of thousands
 * of lines a minute. Convolutions here run through oneDNN either way, so results do not change.
 */
public final class TorchEngine {
  private static final Logger LOG = LoggerFactory.getLogger(TorchEngine.class);
  private static boolean started;

  private TorchEngine() {}

  /** Loads the engine and applies the settings, once per JVM; later calls return at once. */
  public static synchronized void start() {
    if (!started) {
      Engine.getEngine("PyTorch");
      disableNnpack();
      started = true;
    }
  }

  /** Whether libtorch's NNPACK user flag is set, read back from libtorch itself. */
  public static boolean nnpackEnabled() {
    start();
    NativeLibrary torch = libtorch();
    Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
    // A C++ bool fills only the low byte of the return register.
    return (torch.getFunction("_ZNK2at7Context17userEnabledNNPACKEv").invokeInt(new Object[] {context}) & 0xff) != 0;
  }

  private static void disableNnpack() {
    try {
      NativeLibrary torch = libtorch();
      // C++ member functions take the object as their first argument (Itanium ABI, as on Linux and macOS).
      Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
      Function set = torch.getFunction("_ZN2at7Context20setUserEnabledNNPACKEb");
      set.invokeVoid(new Object[] {context, Boolean.FALSE});
    } catch (RuntimeException | LinkageError e) {
      // Another libtorch build (a GPU host's) may name things differently: it only costs log noise there.
      LOG.debug("could not switch NNPACK off: {}", e.toString());
    }
  }

  private static NativeLibrary libtorch() {
    Path dir = Path.of(LibUtils.getLibtorchPath());
    // The library DJL already loaded: dlopen of the same file hands back the same handle.
    return NativeLibrary.getInstance(dir.resolve(System.mapLibraryName("torch_cpu")).toString());
  }
}
