package dev.selfrestore.runtime.criu;

import dev.selfrestore.runtime.MmDescriptor;
import java.util.List;

/**
 * One process of a CRIU image, as a descriptor.
 *
 * @param descriptor   its identity: the mm fields and auxv of {@code mm-PID.img}, the executable of
 *                     {@code files.img}, the task name of {@code core-PID.img}, the command line and
 *                     environment bytes from its dumped memory
 * @param pids         every process of the image ({@code pstree.img}), the root first
 * @param exeDeleted   null, or why the executable cannot be restored: it was deleted when the image
 *                     was written (CRIU kept it in {@code remap-fpath.img} / {@code ghost-file-N.img})
 * @param imageVersion {@code inventory.img}'s {@code img_version}
 */
public record ImportedTask(MmDescriptor descriptor, List<Long> pids, String exeDeleted, int imageVersion) {
    public ImportedTask {
        pids = List.copyOf(pids);
    }
}
