// Line-by-line Java transliteration of Deequ 2.0.x's QuantileNonSample[Double] and
// NonSampleCompactor[Double] (awslabs/deequ, src/main/scala/com/amazon/deequ/analyzers/),
// used only as a differential reference by the Rust tests in src/kll.rs.
//
// Usage: java DeequRef.java K C < input
// Input lines (values as 16-hex-digit IEEE-754 bit patterns):
//   "v <hex>"   update the current chunk sketch with one value
//   "m"         merge the current chunk sketch into the accumulator (Spark-style: the
//               accumulator starts as a fresh, empty sketch) and start a new chunk
//   "s"         make the current chunk sketch the accumulator (single-partition run)
// Output: "cap h value" for h in 0..64, then one line per level of the accumulator:
//   "L <hex> <hex> ..."
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Arrays;

public class DeequRef {
    static final class Compactor {
        int numOfCompress = 0;
        int offset = 0;
        ArrayList<Double> buffer = new ArrayList<>();

        Double[] compact() {
            int items = buffer.size();
            int len = items - (items % 2);
            if (numOfCompress % 2 == 1) {
                offset = 1 - offset;
            }
            Double[] sBuff = buffer.subList(0, len).toArray(new Double[0]);
            // Scala's `sorted` with Ordering.Double: java.util.Arrays.sort with
            // java.lang.Double.compare (stable TimSort).
            Arrays.sort(sBuff, (a, b) -> Double.compare(a, b));
            ArrayList<Double> out = new ArrayList<>();
            for (int i = offset; i < len; i += 2) out.add(sBuff[i]);
            Double tail = (items % 2 == 1) ? buffer.get(Math.max(items - 1, 0)) : null;
            ArrayList<Double> nb = new ArrayList<>();
            if (tail != null) nb.add(tail);
            buffer = nb;
            numOfCompress = numOfCompress + 1;
            return out.toArray(new Double[0]);
        }
    }

    static final class Sketch {
        final int sketchSize;
        final double shrinkingFactor;
        int curNumOfCompactors = 0;
        int compactorActualSize = 0;
        int compactorTotalSize = 0;
        ArrayList<Compactor> compactors = new ArrayList<>();

        Sketch(int k, double c) {
            sketchSize = k;
            shrinkingFactor = c;
            expand();
        }

        void expand() {
            compactors.add(new Compactor());
            curNumOfCompactors = compactors.size();
            compactorTotalSize = getCompactorCapacityCount();
        }

        int capacity(int height) {
            return 2 * ((int) Math.ceil(sketchSize * Math.pow(shrinkingFactor, height) / 2) + 1);
        }

        void update(double item) {
            compactors.get(0).buffer.add(item);
            compactorActualSize = compactorActualSize + 1;
            if (compactorActualSize > compactorTotalSize) condense();
        }

        void condense() {
            for (int height = 0; height < compactors.size(); height++) {
                if (compactors.get(height).buffer.size() >= capacity(height)) {
                    if (height + 1 >= curNumOfCompactors) expand();
                    Double[] output = compactors.get(height).compact();
                    for (Double e : output) compactors.get(height + 1).buffer.add(e);
                    compactorActualSize = getCompactorItemsCount();
                    break;
                }
            }
        }

        Sketch merge(Sketch that) {
            while (this.curNumOfCompactors < that.curNumOfCompactors) this.expand();
            for (int i = 0; i < that.curNumOfCompactors; i++) {
                this.compactors.get(i).buffer.addAll(that.compactors.get(i).buffer);
            }
            compactorActualSize = getCompactorItemsCount();
            while (compactorActualSize >= compactorTotalSize) this.condense();
            return this;
        }

        int getCompactorItemsCount() {
            int size = 0;
            for (int i = 0; i < curNumOfCompactors; i++) size += compactors.get(i).buffer.size();
            return size;
        }

        int getCompactorCapacityCount() {
            int size = 0;
            for (int h = 0; h < curNumOfCompactors; h++) size += capacity(h);
            return size;
        }
    }

    static String hex(double d) {
        return String.format("%016x", Double.doubleToRawLongBits(d));
    }

    public static void main(String[] args) throws Exception {
        int k = Integer.parseInt(args[0]);
        double c = Double.parseDouble(args[1]);
        Sketch acc = null;
        Sketch chunk = new Sketch(k, c);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("v ")) {
                chunk.update(Double.longBitsToDouble(Long.parseUnsignedLong(line.substring(2), 16)));
            } else if (line.equals("m")) {
                if (acc == null) acc = new Sketch(k, c);
                acc.merge(chunk);
                chunk = new Sketch(k, c);
            } else if (line.equals("s")) {
                acc = chunk;
                chunk = new Sketch(k, c);
            }
        }
        if (acc == null) acc = chunk;
        StringBuilder sb = new StringBuilder();
        Sketch probe = new Sketch(k, c);
        for (int h = 0; h < 64; h++) sb.append("cap ").append(h).append(' ').append(probe.capacity(h)).append('\n');
        for (Compactor comp : acc.compactors) {
            sb.append('L');
            for (Double d : comp.buffer) sb.append(' ').append(hex(d));
            sb.append('\n');
        }
        System.out.print(sb);
    }
}
