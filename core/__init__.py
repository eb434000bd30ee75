"""chainview's engine: a net, its forward and backward pass, every Jacobian, stepping, checks.

Pure Python + numpy (networkx only when the graph model is asked for); never imports Qt. Everything a front end needs is here:

    from chainview.core import load_net, Session
    s = Session(load_net("net.json"))
    s.next(); s.current.equation; s.jacobian("Z1", "A1").dense()
"""

__version__ = "0.1.0"

from .activations import Activation, activation_from_spec, custom_activation, NAMES as ACTIVATIONS
from .engine import Evaluation, backward, evaluate, forward
from .graph import edge_list, net_graph, node_ids, reading_order, structure
from .errors import ExpressionError, NetError
from .examples import example_path, example_paths
from .evaluated_graph import build_graph
from .jacobians import LAYOUTS, Jacobian, edge_jacobian, fused_output_gradient
from .losses import NAMES as LOSSES, Loss, loss_from_name
from .net import Layer, Net, build_net, init_weights
from .netfile import dumps_net, load_net, net_from_dict, net_to_dict, parse_net, save_net
from .session import Session
from .nodes import a_id, node_id, w0_id, w_id, z_id
from .steps import Operand, Step, Term, build_steps, schedule
from .symbols import dims_text, node_dims, node_symbol, pretty, rich, split_id


# Loaded on first use: the gradient check and training are asked for by a person, and a typed f(z)
# is rare (its parser loads sympy); `render` and `compare` never touch them (importing both took 6.6 ms on the 2-core VM).
_LAZY = {"parse_expression": "expr", "Expression": "expr",
         "CheckReport": "gradcheck", "CheckResult": "gradcheck", "check_gradients": "gradcheck",
         "TrainResult": "training", "sgd_step": "training", "train": "training"}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chainview.core' has no attribute {name!r}")
    from importlib import import_module
    return getattr(import_module(f".{module}", __name__), name)
