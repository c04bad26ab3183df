"""TensorFlow graph mode with tf.function: tracing, the static graph, retracing, side effects, AutoGraph
(and what the two branches of an if may differ in), and the graph of a small function.

Run it: python snippets/execution/tf_function.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:graph_def]
import tensorflow as tf


def a():
    return tf.add(3, 5)


tf_a = tf.function(a)
# trace once, then look at the graph
graph_def = tf_a.get_concrete_function().graph.as_graph_def()
for node in graph_def.node:
    value = node.attr["value"].tensor.int_val if "value" in node.attr else ""
    print(
        f"{node.name:10} op={node.op:8} inputs={list(node.input)} "
        f"{list(value) or ''}"
    )
print("run the graph:", tf_a().numpy())
# --8<-- [end:graph_def]

# --8<-- [start:retracing]
import tensorflow as tf


@tf.function
def scale(x, factor):
    # Python print: only while tracing
    print(f"  tracing for x{tuple(x.shape)}, factor={factor!r}")
    return x * factor


scale(tf.ones([2]), 2.0)
# same shape, same Python value: the cached graph runs, nothing printed
scale(tf.ones([2]), 2.0)
scale(tf.ones([3]), 2.0)  # new shape: a new trace
scale(tf.ones([3]), 3.0)  # new Python value: a new trace
# a tensor instead: traced once for all values of that dtype
scale(tf.ones([3]), tf.constant(4.0))
scale(tf.ones([3]), tf.constant(5.0))
print("graphs traced:", scale.experimental_get_tracing_count())
# --8<-- [end:retracing]

# --8<-- [start:signature]
import tensorflow as tf


@tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
def double(x):
    print("  tracing once for any length")
    return 2 * x


for n in (2, 5, 9):
    double(tf.ones([n]))
print("graphs traced:", double.experimental_get_tracing_count())
try:
    double(tf.ones([2, 2]))  # outside the signature: rejected, not retraced
except (TypeError, ValueError) as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0].split(". Received")[0])
# --8<-- [end:signature]

# --8<-- [start:side_effects]
import sys

import tensorflow as tf


@tf.function
def step(x):
    print("print: runs at trace time")
    # default: stderr
    tf.print("tf.print: runs on every call, x =", x, output_stream=sys.stdout)
    return x + 1


for i in range(3):
    step(tf.constant(i))
# --8<-- [end:side_effects]

# --8<-- [start:autograph]
import tensorflow as tf


@tf.function
def collatz_steps(n):
    steps = tf.constant(0)
    while n != 1:  # a Python while on a tensor ...
        if n % 2 == 0:  # ... and a Python if on a tensor
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


print("steps for 27:", collatz_steps(tf.constant(27)).numpy())
graph_def = collatz_steps.get_concrete_function(
    tf.TensorSpec([], tf.int32)
).graph.as_graph_def()
ops = {n.op for n in graph_def.node} | {
    n.op for f in graph_def.library.function for n in f.node_def
}
print(
    "control-flow ops in the graph:",
    sorted(op for op in ops if "While" in op or "If" in op),
)
# --8<-- [end:autograph]

# --8<-- [start:autograph_code]
import tensorflow as tf


def clip_negative(x):
    if x < 0:
        x = tf.zeros_like(x)
    return x


# the Python AutoGraph generates before tracing
code = tf.autograph.to_code(clip_negative)
print(
    "\n".join(
        line.strip()
        for line in code.splitlines()
        if "if_stmt" in line or "def " in line
    )
)
# --8<-- [end:autograph_code]

# --8<-- [start:autograph_fails]
import tensorflow as tf


@tf.function
def sign_label(x):
    if x > 0:
        label = tf.constant(1)  # defined in one branch only
    return label


try:
    sign_label(tf.constant(2.0))
except Exception as e:
    # the message already names the type
    print(str(e).strip().splitlines()[-1].strip())
# --8<-- [end:autograph_fails]

# --8<-- [start:branch_shapes]
import tensorflow as tf


@tf.function
def pick(flag):
    if flag:  # a tensor condition: AutoGraph turns it into tf.cond
        y = tf.zeros([2])
    else:
        y = tf.zeros([3])  # another shape: allowed
    return y


print("shapes:", pick(tf.constant(True)).shape, pick(tf.constant(False)).shape)
graph = pick.get_concrete_function(tf.TensorSpec([], tf.bool))
# the graph's output shape is relaxed to "length unknown"
print("output shape in the graph:", graph.structured_outputs.shape)


@tf.function
def pick_dtype(flag):
    if flag:
        y = tf.zeros([2], tf.float32)
    else:
        y = tf.zeros([2], tf.int32)  # another dtype: not allowed
    return y


try:
    pick_dtype(tf.constant(True))
except TypeError as e:
    # the message already names the type
    print(str(e).strip().splitlines()[-1].strip())
# --8<-- [end:branch_shapes]

# --8<-- [start:python_value]
import tensorflow as tf


@tf.function
def relu_python_if(x):
    # x is a Python float here: an ordinary if, decided once while tracing
    if x > 0:
        return x
    return 0.0


print(
    relu_python_if(2.0).numpy(),
    relu_python_if(-2.0).numpy(),
    "traces:",
    relu_python_if.experimental_get_tracing_count(),
)
# --8<-- [end:python_value]

# --8<-- [start:tf1]
import tensorflow as tf

tf1 = tf.compat.v1
graph = tf.Graph()
with graph.as_default():  # TF1 style: define the whole graph first ...
    x = tf1.placeholder(tf.float32, shape=[None], name="x")
    y = tf.reduce_sum(x * 2.0)
    print("before running, y is only a symbol:", y)
# ... then run it, feeding values into placeholders
with tf1.Session(graph=graph) as sess:
    print("sess.run:", sess.run(y, feed_dict={x: [1.0, 2.0, 3.0]}))
# --8<-- [end:tf1]

# --8<-- [start:small_graph]
import tensorflow as tf


@tf.function
def f_tf(x, w):
    return tf.reduce_sum(tf.tanh(x @ w))


x = tf.ones([2, 2])
graph = f_tf.get_concrete_function(x, x).graph
# MatMul, Tanh, Sum: the operations eager runs (Const: the axes of the sum)
print([op.type for op in graph.get_operations() if op.type != "Placeholder"])
# --8<-- [end:small_graph]

if __name__ == "__main__":
    print("tf_function: all demonstrations ran")
