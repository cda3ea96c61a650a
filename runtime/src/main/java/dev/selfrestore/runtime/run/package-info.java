/**
 * {@code selfrestore run}: starting a command at the PID a descriptor records, through the native
 * helper ({@link dev.selfrestore.nativeshim.ProcessCalls#place}), with the checks that refuse
 * before anything starts.
 */
package dev.selfrestore.runtime.run;
